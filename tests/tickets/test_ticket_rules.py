"""The ticket rules have one definition each: the status sets, and where a ticket stands against
its SLA, for one ticket (`Ticket.sla_state`) and for many (`.sla_due_before`), which must agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets.models import Ticket
from tickets.querysets import sla_due_before

from .factories import TicketFactory

NOW = timezone.now()


def _ticket(*, status="open", first_due_in=None, resolution_due_in=None, answered=False, paused=False):
    first_due_in = first_due_in if first_due_in is not None else timedelta(hours=5)
    resolution_due_in = resolution_due_in if resolution_due_in is not None else timedelta(days=3)
    return TicketFactory(
        status=status,
        created_at=NOW - timedelta(days=1),
        first_response_due_at=NOW + first_due_in,
        resolution_due_at=NOW + resolution_due_in,
        first_responded_at=NOW - timedelta(hours=20) if answered else None,
        sla_paused_at=NOW - timedelta(hours=1) if paused else None,
    )


def test_status_sets_say_what_they_hold():
    assert set(Ticket.UNRESOLVED_STATUSES) == {"new", "open", "pending"}
    assert set(Ticket.AWAITING_IT_STATUSES) == {"new", "open"}
    assert set(Ticket.RESOLVED_STATUSES) == {"resolved", "closed"}
    assert set(Ticket.UNRESOLVED_STATUSES) | set(Ticket.RESOLVED_STATUSES) == set(Ticket.Status.values)


@pytest.mark.django_db
def test_unresolved_queryset_and_is_unresolved_agree():
    tickets = [_ticket(status=status) for status in ("new", "open")] + [
        _ticket(status="pending", paused=True)
    ]
    resolved = TicketFactory(status="resolved", resolved_at=NOW, sla_paused_at=NOW)

    unresolved = set(Ticket.objects.unresolved().values_list("pk", flat=True))

    assert unresolved == {t.pk for t in tickets}
    assert all(t.is_unresolved for t in tickets) and not resolved.is_unresolved


@pytest.mark.django_db
def test_one_ticket_and_many_tickets_read_the_sla_the_same_way():
    # Every case the rule distinguishes: first answer or resolution target, overdue, at risk, on
    # track, and a clock standing still.
    cases = {
        "first answer overdue": _ticket(first_due_in=-timedelta(minutes=5)),
        "first answer at risk": _ticket(first_due_in=timedelta(minutes=30)),
        "first answer on track": _ticket(),
        "answered, resolution overdue": _ticket(answered=True, resolution_due_in=-timedelta(hours=1)),
        "answered, first target long past": _ticket(answered=True, first_due_in=-timedelta(hours=9)),
        "answered, resolution at risk": _ticket(answered=True, resolution_due_in=timedelta(minutes=50)),
        "pending, overdue but paused": _ticket(
            status="pending", paused=True, first_due_in=-timedelta(hours=2)
        ),
    }
    soon = NOW + timedelta(hours=2)

    breached = set(Ticket.objects.sla_due_before(NOW).values_list("pk", flat=True))
    breaching_soon = set(Ticket.objects.filter(sla_due_before(soon)).values_list("pk", flat=True))

    for name, ticket in cases.items():
        ticket.refresh_from_db()
        state = ticket.sla_state(NOW).state
        assert (ticket.pk in breached) == (state == "breached"), name
        assert (ticket.pk in breaching_soon) == (state in ("breached", "at_risk")), name
    assert cases["answered, first target long past"].sla_state(NOW).state == "on_track"
    assert cases["pending, overdue but paused"].sla_state(NOW).state == "paused"


@pytest.mark.parametrize("field", ["status", "priority"])
def test_the_quick_labels_are_djangos_labels(field):
    """Ticket's own get_status_display() and get_priority_display() answer as Django's would."""
    model_field = Ticket._meta.get_field(field)
    for value in [*(value for value, _ in model_field.choices), "unknown"]:
        ticket = Ticket(**{field: value})
        djangos = ticket._get_FIELD_display(model_field)

        assert getattr(ticket, f"get_{field}_display")() == djangos
        assert type(getattr(ticket, f"get_{field}_display")()) is str
