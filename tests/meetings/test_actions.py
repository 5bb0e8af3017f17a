"""Actions: added with evidence, closed with what was done, audited; a closed action shows its
service's grades for as long before its closing as after, from the same figures as the dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Action, MeetingEvent
from meetings.selectors import action_before_after
from notifications.models import Notification
from reports.periods import Period
from reports.rollups import rollups_refresh
from surveys.figures import report_card
from surveys.models import Survey

from ..accounts.factories import AgentFactory
from ..hostile import HOSTILE_INPUTS
from ..reports.factories import ticket_came_in
from ..tickets.factories import ServiceFactory, TicketFactory
from .factories import action, meeting

pytestmark = pytest.mark.django_db


def _surveys_in(period: Period, service) -> Survey:
    starts, ends = period.bounds()
    return Survey.objects.filter(service=service, resolved_at__gte=starts, resolved_at__lt=ends)


def test_a_manager_adds_an_action_with_its_evidence_and_the_owner_is_told(manager_client, manager):
    held, owner, printers = meeting(by=manager), AgentFactory(), ServiceFactory(name="Printers")
    first, second = TicketFactory(), TicketFactory()

    response = manager_client.post(
        reverse("meetings:action_add", args=[held.pk]),
        {"kind": "training", "description": "Teach the toner swap", "owner": owner.pk,
         "due_on": (timezone.localdate() + timedelta(days=14)).isoformat(), "service": printers.pk,
         "tickets": f"SD-{first.pk}, {second.pk}"},
    )  # fmt: skip

    added = Action.objects.get()
    assert response.status_code == 302
    assert (added.kind, added.owner, added.service) == ("training", owner, printers)
    assert set(added.tickets.all()) == {first, second}
    assert added.events.get().kind == MeetingEvent.Kind.ACTION_ADDED
    assert added.events.get().actor == manager
    assert Notification.objects.filter(recipient=owner, key=f"meeting-action:{added.pk}").exists()


def test_an_unknown_request_reference_is_refused_with_a_reason(manager_client, manager):
    held = meeting(by=manager)

    response = manager_client.post(
        reverse("meetings:action_add", args=[held.pk]),
        {"kind": "process", "description": "x", "owner": manager.pk,
         "due_on": timezone.localdate().isoformat(), "tickets": "SD-999999, nonsense"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "is not a request reference" in response.content.decode()
    assert not Action.objects.exists()


def test_closing_an_action_says_what_was_done_and_is_audited_once(manager_client, manager):
    decided = action(on=meeting(by=manager), owner=AgentFactory())
    url = reverse("meetings:action_close", args=[decided.pk])

    manager_client.post(url, {"what_was_done": "The form lost six fields"})
    again = manager_client.post(url, {"what_was_done": "Twice"})

    decided.refresh_from_db()
    assert decided.closed_at and decided.what_was_done == "The form lost six fields"
    assert again.status_code == 302
    assert decided.events.filter(kind=MeetingEvent.Kind.ACTION_CLOSED).count() == 1


def test_closing_needs_to_say_what_was_done(manager_client, manager):
    decided = action(on=meeting(by=manager), owner=AgentFactory())

    manager_client.post(reverse("meetings:action_close", args=[decided.pk]), {"what_was_done": "   "})

    decided.refresh_from_db()
    assert decided.closed_at is None


def test_a_closed_actions_grades_before_and_after_match_the_rows_and_the_page(manager_client, manager):
    agent, printers = AgentFactory(), ServiceFactory(name="Printers")
    for grade, days_ago in (("F", 16), ("D", 14), ("B", 5), ("A", 3), ("A", 2)):
        ticket_came_in("phone", agent=agent, grade=grade, days_ago=days_ago, service=printers)
    ticket_came_in("phone", agent=agent, grade="F", days_ago=4)  # another service: not counted
    rollups_refresh()
    last = meeting(by=manager, held_days_ago=20)
    decided = action(on=last, owner=agent, service=printers)
    closed = timezone.now() - timedelta(days=9)
    manager_client.post(reverse("meetings:action_close", args=[decided.pk]), {"what_was_done": "New toner"})
    Action.objects.filter(pk=decided.pk).update(closed_at=closed)
    decided.refresh_from_db()

    compared = action_before_after(action=decided, today=timezone.localdate())
    response = manager_client.get(meeting(by=manager).get_absolute_url())

    assert compared.after_period.days == compared.before_period.days == 10
    assert compared.before.card.gpa == report_card(_surveys_in(compared.before_period, printers)).gpa
    assert compared.after.card.gpa == report_card(_surveys_in(compared.after_period, printers)).gpa
    assert (compared.before.card.answered, compared.after.card.answered) == (2, 3)
    assert (str(compared.before.card.gpa), str(compared.after.card.gpa)) == ("0.50", "3.67")
    [(shown, shown_compared)] = response.context["page"].previous_actions
    assert shown == decided and shown_compared == compared
    assert "0.50" in response.content.decode() and "3.67" in response.content.decode()


@pytest.mark.parametrize("text", HOSTILE_INPUTS)
def test_action_texts_are_stored_as_typed(manager_client, manager, text):
    held = meeting(by=manager)

    added = manager_client.post(
        reverse("meetings:action_add", args=[held.pk]),
        {"kind": "documentation", "description": text, "owner": manager.pk,
         "due_on": timezone.localdate().isoformat()},
    )  # fmt: skip

    if "\0" in text or not text.strip():  # NUL, or nothing to do: a 400 that says why
        assert added.status_code == 400 and not Action.objects.exists()
        return
    decided = Action.objects.get()
    assert decided.description == text
    manager_client.post(reverse("meetings:action_close", args=[decided.pk]), {"what_was_done": text})
    decided.refresh_from_db()
    assert decided.what_was_done == text
    assert "<script>alert" not in manager_client.get(held.get_absolute_url()).content.decode()
