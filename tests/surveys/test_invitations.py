"""Invitations and reminders: one each at most per resolved ticket, at the right moment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification, OutboundEmail
from surveys.models import Survey
from surveys.services import survey_answer, survey_for_resolution, surveys_due_send
from tickets.services import ticket_reopen, ticket_status_change

from ..accounts.factories import AgentFactory, CustomerFactory
from ..tickets.factories import TeamFactory, TicketFactory
from .factories import resolved_ticket

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def invitations(**filters) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(template="surveys/invitation", **filters))


def reminders() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(template="surveys/reminder"))


def test_resolving_schedules_one_survey_that_remembers_who_earned_the_grade(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 45
    agent = AgentFactory()
    team = TeamFactory(name="Desktop")
    now = timezone.now()

    ticket = resolved_ticket(agent=agent, now=now, team=team, priority="p2")

    survey = Survey.objects.get(ticket=ticket)
    assert (survey.customer, survey.agent, survey.team, survey.service) == (
        ticket.customer,
        agent,
        team,
        ticket.service,
    )
    assert (survey.priority, survey.customer_category) == ("p2", "general")
    assert survey.invite_due_at == now + timedelta(minutes=45)
    assert survey.expires_at == survey.invite_due_at + timedelta(days=settings.SURVEY_ANSWER_DAYS)
    assert survey.invited_at is None
    assert invitations() == []  # not before the delay


def test_the_invitation_goes_once_when_due(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 30
    now = timezone.now()
    ticket = resolved_ticket(now=now)

    assert surveys_due_send(now=now + timedelta(minutes=29)) == (0, 0)
    assert surveys_due_send(now=now + timedelta(minutes=30)) == (1, 0)
    assert surveys_due_send(now=now + timedelta(minutes=31)) == (0, 0)

    (email,) = invitations()
    assert email.to_address == ticket.customer.email
    survey = ticket.surveys.get()
    assert survey.invited_at == now + timedelta(minutes=30)
    assert "/surveys/answer/" in email.body_text
    assert email.subject == f"[{ticket.reference}] How did IT do? Grade it A to F"


def test_one_reminder_if_unanswered_and_none_after(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    settings.SURVEY_REMINDER_AFTER_DAYS = 3
    now = timezone.now()
    resolved_ticket(now=now)
    surveys_due_send(now=now)

    assert surveys_due_send(now=now + 2 * DAY) == (0, 0)
    assert surveys_due_send(now=now + 3 * DAY) == (0, 1)
    assert surveys_due_send(now=now + 10 * DAY) == (0, 0)
    assert len(reminders()) == 1


def test_no_reminder_once_answered(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    now = timezone.now()
    ticket = resolved_ticket(now=now)
    surveys_due_send(now=now)
    survey_answer(survey=ticket.surveys.get(), answers={"grade": "A"}, now=now + HOUR)

    assert surveys_due_send(now=now + 30 * DAY) == (0, 0)
    assert reminders() == []


def test_reopen_then_resolve_again_does_not_invite_twice(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    now = timezone.now()
    ticket = resolved_ticket(now=now)
    surveys_due_send(now=now)
    ticket_reopen(ticket=ticket, by=ticket.customer, reason="Still broken", now=now + HOUR)
    ticket_status_change(ticket=ticket, by=ticket.assignee, status="resolved", now=now + 2 * HOUR)

    surveys_due_send(now=now + 3 * HOUR)

    assert Survey.objects.filter(ticket=ticket).count() == 1
    assert len(invitations()) == 1


def test_each_resolution_is_graded_when_configured(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    settings.SURVEY_AGAIN_AFTER_REOPEN = True
    now = timezone.now()
    ticket = resolved_ticket(now=now)
    surveys_due_send(now=now)
    ticket_reopen(ticket=ticket, by=ticket.customer, reason="Still broken", now=now + HOUR)
    ticket_status_change(ticket=ticket, by=ticket.assignee, status="resolved", now=now + 2 * HOUR)

    surveys_due_send(now=now + 3 * HOUR)

    first, second = Survey.objects.filter(ticket=ticket).order_by("round")
    assert (first.round, second.round) == (1, 2)
    assert first.cancelled_at == now + 2 * HOUR  # unanswered: the newer survey replaces it
    assert second.invited_at is not None
    assert len(invitations()) == 2


def test_an_answered_survey_stays_when_each_resolution_is_graded(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    settings.SURVEY_AGAIN_AFTER_REOPEN = True
    now = timezone.now()
    ticket = resolved_ticket(now=now)
    surveys_due_send(now=now)
    survey_answer(survey=ticket.surveys.get(), answers={"grade": "D"}, now=now + HOUR)
    ticket_reopen(ticket=ticket, by=ticket.customer, reason="Still broken", now=now + 2 * HOUR)
    ticket_status_change(ticket=ticket, by=ticket.assignee, status="resolved", now=now + 3 * HOUR)

    first, second = Survey.objects.filter(ticket=ticket).order_by("round")
    assert first.cancelled_at is None and first.grade == "D"
    assert second.answered_at is None


def test_reopened_before_the_invitation_waits_for_the_next_resolution(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 60
    now = timezone.now()
    ticket = resolved_ticket(now=now)
    ticket_reopen(ticket=ticket, by=ticket.customer, reason="Not fixed", now=now + timedelta(minutes=10))

    assert surveys_due_send(now=now + 2 * HOUR) == (0, 0)  # being worked on again: do not ask
    assert ticket.surveys.get().invite_due_at is None  # and it left the due set

    ticket_status_change(ticket=ticket, by=ticket.assignee, status="resolved", now=now + 3 * HOUR)
    assert surveys_due_send(now=now + 3 * HOUR + timedelta(minutes=59)) == (0, 0)
    assert surveys_due_send(now=now + 4 * HOUR) == (1, 0)
    assert len(invitations()) == 1


def test_no_reminder_while_the_request_is_reopened(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    now = timezone.now()
    ticket = resolved_ticket(now=now)
    surveys_due_send(now=now)
    ticket_reopen(ticket=ticket, by=ticket.customer, reason="Not fixed", now=now + DAY)

    assert surveys_due_send(now=now + 5 * DAY) == (0, 0)
    assert reminders() == []


def test_nothing_is_sent_after_the_survey_closes(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    settings.SURVEY_ANSWER_DAYS = 2
    now = timezone.now()
    resolved_ticket(now=now)

    assert surveys_due_send(now=now + 3 * DAY) == (0, 0)
    assert invitations() == []


def test_no_invitation_to_a_customer_who_has_left(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    customer = CustomerFactory(is_active=False)
    now = timezone.now()
    resolved_ticket(now=now, customer=customer)

    surveys_due_send(now=now)

    assert invitations() == []


def test_the_sweep_takes_a_bounded_batch(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    now = timezone.now()
    for _ in range(3):
        resolved_ticket(now=now)

    assert surveys_due_send(now=now, batch_size=2) == (2, 0)
    assert surveys_due_send(now=now, batch_size=2) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_a_survey_is_scheduled_in_its_own_transaction_when_the_caller_has_none():
    ticket = TicketFactory(status="resolved", resolved_at=timezone.now(), sla_paused_at=timezone.now())

    survey = survey_for_resolution(ticket=ticket)  # no transaction around it: autocommit

    assert Survey.objects.get(ticket=ticket) == survey
    assert survey.invite_due_at is not None


def test_the_how_did_it_do_notices_carry_their_moment_and_are_done_once_answered(settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    settings.SURVEY_REMINDER_AFTER_DAYS = 3
    then = timezone.now() - 20 * DAY
    ticket = resolved_ticket(now=then)
    surveys_due_send(now=then)
    surveys_due_send(now=then + 3 * DAY)
    other = resolved_ticket(now=then)
    surveys_due_send(now=then)

    survey_answer(survey=ticket.surveys.get(), answers={"grade": "A"}, now=then + 4 * DAY)

    invitation, reminder = (
        Notification.objects.get(key=f"survey-{kind}:{ticket.surveys.get().pk}")
        for kind in ("invitation", "reminder")
    )
    assert (invitation.created_at, reminder.created_at) == (then, then + 3 * DAY)
    assert invitation.done_at == reminder.done_at == then + 4 * DAY
    assert invitation.read_at == reminder.read_at == then + 4 * DAY
    untouched = Notification.objects.get(key=f"survey-invitation:{other.surveys.get().pk}")
    assert untouched.done_at is None and untouched.read_at is None
