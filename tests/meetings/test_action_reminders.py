"""An action's owner is reminded once per due date, in business hours (the desk's calendar)."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from meetings.models import Action, MeetingEvent
from meetings.services import action_reminders_send
from notifications.models import Notification, OutboundEmail

from ..accounts.factories import AgentFactory
from .factories import action, meeting

pytestmark = pytest.mark.django_db

MONDAY = date(2030, 1, 7)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _due_on(day: date) -> Action:
    decided = action(on=meeting(), owner=AgentFactory())
    Action.objects.filter(pk=decided.pk).update(due_on=day)
    return decided


def test_the_owner_is_reminded_once_on_the_due_date():
    decided = _due_on(MONDAY)

    first = action_reminders_send(now=_at(MONDAY, 10))
    second = action_reminders_send(now=_at(MONDAY, 11))
    overdue = action_reminders_send(now=_at(date(2030, 1, 8), 10))

    assert (first, second, overdue) == (1, 0, 0)
    key = f"meeting-action-due:{decided.pk}:{MONDAY.isoformat()}"
    assert Notification.objects.filter(recipient=decided.owner, key=key).count() == 1
    assert OutboundEmail.objects.filter(idempotency_key=key).count() == 1
    assert decided.events.filter(kind=MeetingEvent.Kind.ACTION_REMINDED, actor=None).count() == 1


def test_nobody_is_reminded_outside_business_hours():
    _due_on(MONDAY)

    at_night = action_reminders_send(now=_at(MONDAY, 23))
    on_saturday = action_reminders_send(now=_at(date(2030, 1, 12), 10))
    next_morning = action_reminders_send(now=_at(date(2030, 1, 8), 9))

    assert (at_night, on_saturday, next_morning) == (0, 0, 1)


def test_a_closed_or_not_yet_due_action_is_not_reminded():
    closed = _due_on(MONDAY)
    Action.objects.filter(pk=closed.pk).update(closed_at=_at(MONDAY, 8), what_was_done="Done early")
    _due_on(date(2030, 1, 9))

    assert action_reminders_send(now=_at(MONDAY, 10)) == 0
