"""Proactive follow-ups and SLA alerts, with controlled time in a London office week.

Monday 23 to Friday 27 November 2026, 09:00–17:00 (the office_hours fixture).
"""

from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.urls import reverse

from customers.models import CustomerCategory, CustomerProfile
from notifications.models import Notification, OutboundEmail
from tickets.models import FollowUpPolicy, Ticket, TicketEvent, TicketMessage
from tickets.services import (
    followup_process,
    sla_alert_process,
    ticket_claim,
    ticket_create,
    ticket_reply,
    ticket_status_change,
)

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from .conftest import at
from .factories import ServiceFactory

pytestmark = pytest.mark.django_db


def urgent_ticket(*, now, customer=None, agent=None) -> Ticket:
    """A critical (P1) request, taken by an agent at once."""
    ticket = ticket_create(
        customer=customer or CustomerFactory(),
        title="Payroll server down",
        description="Nobody can log in.",
        service=ServiceFactory(),
        urgency="high",
        impact="high",
        now=now,
    )
    ticket_claim(ticket=ticket, agent=agent or AgentFactory(), now=now)
    ticket.refresh_from_db()
    return ticket


def emails(template: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(template=template))


def test_an_urgent_request_is_due_an_update_every_two_working_hours(office_hours):
    ticket = urgent_ticket(now=at(23, 10))

    assert ticket.priority == "p1"
    assert (ticket.followup_stage, ticket.followup_due_at) == ("nudge", at(23, 12))


def test_vips_hear_twice_as_often_and_policies_override_the_defaults(office_hours):
    vip = CustomerFactory()
    CustomerProfile.objects.create(user=vip, category=CustomerCategory.VIP)
    assert urgent_ticket(now=at(23, 10), customer=vip).followup_due_at == at(23, 11)

    FollowUpPolicy.objects.create(priority="p1", customer_category="", update_every_minutes=30)
    assert urgent_ticket(now=at(23, 10)).followup_due_at == at(23, 10, 30)


def test_the_assignee_is_nudged_then_the_customer_gets_an_automatic_update(office_hours):
    agent = AgentFactory()
    ticket = urgent_ticket(now=at(23, 10), agent=agent)

    assert followup_process(ticket_id=ticket.pk, now=at(23, 11, 59)) == ""  # not due yet
    assert followup_process(ticket_id=ticket.pk, now=at(23, 12)) == "nudge"

    (nudge,) = emails("tickets/update_due")
    assert nudge.to_address == agent.email
    assert Notification.objects.filter(recipient=agent, key__startswith="followup-nudge:").count() == 1
    ticket.refresh_from_db()
    assert (ticket.followup_stage, ticket.followup_due_at) == ("update", at(23, 13))  # the grace hour
    assert emails("tickets/automatic_update") == []

    assert followup_process(ticket_id=ticket.pk, now=at(23, 13)) == "update"

    update = TicketMessage.objects.get(ticket=ticket, author=None)
    assert not update.is_internal
    assert "has not been forgotten" in update.body and agent.display_name in update.body
    assert "15:00" in update.body  # when they will hear next: two working hours on
    (email,) = emails("tickets/automatic_update")
    assert email.to_address == ticket.customer.email
    ticket.refresh_from_db()
    assert (ticket.followup_stage, ticket.followup_due_at) == ("nudge", at(23, 15))
    kinds = list(ticket.events.filter(actor=None).values_list("kind", flat=True))
    assert kinds == [TicketEvent.Kind.UPDATE_NUDGED, TicketEvent.Kind.AUTO_UPDATE]


def test_a_reply_from_it_starts_the_clock_again(office_hours):
    ticket = urgent_ticket(now=at(23, 10))
    followup_process(ticket_id=ticket.pk, now=at(23, 12))
    ticket_reply(
        ticket=ticket,
        author=ticket.assignee,
        body="Still on it: the disk is being replaced.",
        now=at(23, 12, 30),
    )

    assert followup_process(ticket_id=ticket.pk, now=at(23, 13)) == ""
    ticket.refresh_from_db()
    assert (ticket.followup_stage, ticket.followup_due_at) == ("nudge", at(23, 14, 30))
    assert emails("tickets/automatic_update") == []


def test_an_internal_note_does_not_count_as_news_for_the_customer(office_hours):
    ticket = urgent_ticket(now=at(23, 10))
    ticket_reply(ticket=ticket, author=ticket.assignee, body="Vendor called.", internal=True, now=at(23, 11))
    ticket.refresh_from_db()
    assert ticket.followup_due_at == at(23, 12)


def test_the_same_step_twice_sends_once(office_hours):
    ticket = urgent_ticket(now=at(23, 10))
    followup_process(ticket_id=ticket.pk, now=at(23, 12))
    followup_process(ticket_id=ticket.pk, now=at(23, 12))  # a duplicate delivery, same moment

    assert len(emails("tickets/update_due")) == 1
    assert ticket.events.filter(kind=TicketEvent.Kind.UPDATE_NUDGED).count() == 1


def test_nothing_goes_out_after_hours_and_it_waits_for_the_morning(office_hours):
    ticket = urgent_ticket(now=at(23, 16, 30))
    assert ticket.followup_due_at == at(24, 10, 30)  # working time only: 30 minutes today, 90 tomorrow

    Ticket.objects.filter(pk=ticket.pk).update(followup_due_at=at(23, 16, 59))
    assert followup_process(ticket_id=ticket.pk, now=at(23, 19)) == ""  # the scan ran late: evening

    assert emails("tickets/update_due") == []
    ticket.refresh_from_db()
    assert ticket.followup_due_at == at(24, 9)


def test_a_customer_who_does_not_answer_is_reminded_then_the_request_resolves(office_hours):
    ticket = urgent_ticket(now=at(23, 10))
    ticket_status_change(ticket=ticket, by=ticket.assignee, status="pending", now=at(23, 11))
    ticket.refresh_from_db()
    assert (ticket.followup_stage, ticket.followup_due_at) == ("remind", at(26, 11))

    assert followup_process(ticket_id=ticket.pk, now=at(26, 11)) == "remind"
    (reminder,) = emails("tickets/pending_reminder")
    assert reminder.to_address == ticket.customer.email
    ticket.refresh_from_db()
    assert (ticket.followup_stage, ticket.followup_due_at) == ("resolve", at(30, 11))  # Monday

    assert followup_process(ticket_id=ticket.pk, now=at(30, 11)) == "resolve"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution) == ("resolved", "no_answer")
    assert ticket.followup_due_at is None and ticket.sla_alert_due_at is None
    (notice,) = emails("tickets/resolved_no_answer")
    assert "Reopen it within" in notice.body_text


def test_an_answer_from_the_customer_stops_the_countdown(office_hours):
    ticket = urgent_ticket(now=at(23, 10))
    ticket_status_change(ticket=ticket, by=ticket.assignee, status="pending", now=at(23, 11))
    ticket_reply(ticket=ticket, author=ticket.customer, body="Here is the screenshot.", now=at(24, 10))

    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert (ticket.followup_stage, ticket.followup_due_at) == ("nudge", at(24, 12))


def test_a_repeat_offenders_request_is_resolved_for_want_of_an_answer_too(office_hours):
    customer = CustomerFactory()
    CustomerProfile.objects.create(user=customer, category=CustomerCategory.REPEAT_OFFENDER)
    ticket = urgent_ticket(now=at(23, 10), customer=customer)
    ticket_status_change(ticket=ticket, by=ticket.assignee, status="pending", now=at(23, 11))
    followup_process(ticket_id=ticket.pk, now=at(26, 11))
    followup_process(ticket_id=ticket.pk, now=at(30, 11))

    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_the_assignee_is_warned_at_three_quarters_and_managers_hear_of_the_breach(office_hours):
    managers = ManagerFactory.create_batch(2)
    agent = AgentFactory()
    ticket = urgent_ticket(now=at(23, 10), agent=agent)  # P1: first answer within 30 working minutes
    assert (ticket.sla_alert_stage, ticket.sla_alert_due_at) == (
        "warn_first",
        at(23, 10, 22) + timedelta(seconds=30),
    )

    assert sla_alert_process(ticket_id=ticket.pk, now=at(23, 10, 25)) == "warn_first"
    (warning,) = emails("tickets/sla_warning")
    assert warning.to_address == agent.email and "first answer" in warning.subject

    assert sla_alert_process(ticket_id=ticket.pk, now=at(23, 10, 29)) == ""
    assert sla_alert_process(ticket_id=ticket.pk, now=at(23, 10, 30)) == "breach_first"
    breached = {e.to_address for e in emails("tickets/sla_breached")}
    assert breached == {m.email for m in managers} | {agent.email}
    ticket.refresh_from_db()
    assert ticket.sla_alert_stage == "warn_resol"  # the resolution target is watched next
    assert list(ticket.events.filter(kind__startswith="sla").values_list("kind", flat=True)) == [
        "sla_warned",
        "sla_breached",
    ]


def test_answering_in_time_moves_the_watch_to_the_resolution_target(office_hours):
    ticket = urgent_ticket(now=at(23, 10))
    ticket_reply(ticket=ticket, author=ticket.assignee, body="Looking now.", now=at(23, 10, 10))

    ticket.refresh_from_db()
    assert ticket.sla_alert_stage == "warn_resol"
    assert sla_alert_process(ticket_id=ticket.pk, now=at(23, 10, 31)) == ""
    assert emails("tickets/sla_breached") == []


def test_no_alerts_while_waiting_on_the_customer_or_once_resolved(office_hours):
    ticket = urgent_ticket(now=at(23, 10))
    ticket_status_change(ticket=ticket, by=ticket.assignee, status="pending", now=at(23, 10, 5))
    ticket.refresh_from_db()
    assert ticket.sla_alert_due_at is None

    ticket_status_change(ticket=ticket, by=ticket.assignee, status="resolved", now=at(23, 10, 6))
    ticket.refresh_from_db()
    assert ticket.followup_due_at is None and ticket.sla_alert_due_at is None


def test_the_queue_shows_tickets_whose_customer_is_due_an_update(office_hours, agent_client):
    ticket = urgent_ticket(now=at(23, 10))
    followup_process(ticket_id=ticket.pk, now=at(23, 12))

    page = agent_client.get(reverse("tickets:queue")).content.decode()
    assert "Customer due an update" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search document is Postgres full-text")
def test_an_automatic_update_is_searchable_like_every_other_message(office_hours):
    ticket = urgent_ticket(now=at(23, 10))
    followup_process(ticket_id=ticket.pk, now=at(23, 12))

    assert not Ticket.objects.filter(pk=ticket.pk, search_document=SearchQuery("forgotten")).exists()

    followup_process(ticket_id=ticket.pk, now=at(23, 13))

    assert Ticket.objects.filter(pk=ticket.pk, search_document=SearchQuery("forgotten")).exists()
