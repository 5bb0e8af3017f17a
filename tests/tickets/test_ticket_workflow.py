"""The status workflow and the SLA clock through every change, with controlled time."""

import pytest

from notifications.models import OutboundEmail
from tickets.exceptions import TicketStateError
from tickets.models import Ticket, TicketEvent
from tickets.services import ticket_create, ticket_reopen, ticket_reply, ticket_status_change

from .conftest import at
from .factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer, office_hours) -> Ticket:
    """Submitted Monday 23 November at 10:00; low priority: 8 working hours to answer, 40 to finish."""
    return ticket_create(
        customer=customer,
        title="Laptop will not start",
        description="It beeps.",
        service=ServiceFactory(),
        urgency="low",
        impact="low",
        now=at(23, 10),
    )


def _refresh(ticket: Ticket) -> Ticket:
    ticket.refresh_from_db()
    return ticket


def test_first_public_reply_from_it_meets_first_response_and_opens_the_ticket(ticket, agent):
    ticket_reply(ticket=ticket, author=agent, body="Looking at it now.", now=at(23, 11))

    ticket = _refresh(ticket)
    assert ticket.first_responded_at == at(23, 11)
    assert ticket.status == Ticket.Status.OPEN
    assert (
        OutboundEmail.objects.filter(to_address=ticket.customer.email, template="tickets/replied").count()
        == 1
    )


def test_internal_note_neither_answers_the_customer_nor_emails_them(ticket, agent):
    ticket_reply(ticket=ticket, author=agent, body="Probably the RAM.", internal=True, now=at(23, 11))

    ticket = _refresh(ticket)
    assert ticket.first_responded_at is None
    assert ticket.status == Ticket.Status.NEW
    assert not OutboundEmail.objects.filter(template="tickets/replied").exists()
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE_ADDED).count() == 1


def test_customer_cannot_write_internal_notes(ticket, customer):
    with pytest.raises(TicketStateError):
        ticket_reply(ticket=ticket, author=customer, body="x", internal=True)


def test_pending_stops_the_clock_and_the_customers_answer_restarts_it(ticket, agent, customer):
    ticket_reply(ticket=ticket, author=agent, body="Which model is it?", now=at(23, 11))
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.PENDING, now=at(23, 11))
    assert _refresh(ticket).resolution_due_at == at(30, 10)

    # The answer comes a working day later.
    ticket_reply(ticket=ticket, author=customer, body="A ThinkPad T14.", now=at(24, 11))

    ticket = _refresh(ticket)
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.sla_paused_at is None
    assert ticket.resolution_due_at == at(1, 10, month=12)  # pushed back the 8 working hours it waited


def test_time_spent_pending_over_a_weekend_costs_nothing_extra(ticket, agent):
    ticket_status_change(
        ticket=ticket, by=agent, status=Ticket.Status.PENDING, now=at(27, 17)
    )  # Friday close
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.OPEN, now=at(30, 9))  # Monday open

    ticket = _refresh(ticket)
    assert ticket.resolution_due_at == at(30, 10)  # unchanged: no working time passed
    assert ticket.first_response_due_at == at(24, 10)


def test_resolving_stops_the_clock_and_reopening_resumes_it(ticket, agent, customer):
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED, now=at(23, 12))

    resolved = _refresh(ticket)
    assert resolved.resolved_at == at(23, 12)
    assert resolved.resolution == Ticket.Resolution.FIXED
    assert OutboundEmail.objects.filter(template="tickets/resolved").count() == 1

    ticket_reopen(ticket=ticket, by=customer, reason="It beeps again.", now=at(24, 12))

    reopened = _refresh(ticket)
    assert reopened.status == Ticket.Status.OPEN
    assert reopened.resolved_at is None
    assert reopened.resolution_due_at == at(1, 10, month=12)  # plus the 8 working hours it sat resolved
    assert reopened.messages.get().body == "It beeps again."


def test_reopen_is_refused_after_the_window(ticket, agent, customer, settings):
    settings.TICKET_REOPEN_DAYS = 3
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED, now=at(23, 12))

    with pytest.raises(TicketStateError, match="more than 3 days ago"):
        ticket_reopen(ticket=ticket, by=customer, reason="Again", now=at(27, 12))


def test_only_resolved_tickets_can_be_reopened(ticket, customer):
    with pytest.raises(TicketStateError, match="Only a resolved request"):
        ticket_reopen(ticket=ticket, by=customer, reason="Again", now=at(23, 12))


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([Ticket.Status.RESOLVED, Ticket.Status.CLOSED], Ticket.Status.OPEN),
        ([Ticket.Status.RESOLVED], Ticket.Status.PENDING),
        ([], Ticket.Status.CLOSED),
    ],
)
def test_workflow_refuses_moves_it_does_not_allow(ticket, agent, path, refused):
    for step, status in enumerate(path):
        ticket_status_change(ticket=ticket, by=agent, status=status, now=at(23, 11 + step))

    with pytest.raises(TicketStateError):
        ticket_status_change(ticket=ticket, by=agent, status=refused, now=at(23, 15))


def test_closed_tickets_take_no_more_replies(ticket, agent, customer):
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED, now=at(23, 11))
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.CLOSED, now=at(23, 12))

    with pytest.raises(TicketStateError, match="closed"):
        ticket_reply(ticket=ticket, author=customer, body="Hello?")


def test_every_change_is_in_the_history_with_old_and_new_values(ticket, agent):
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.PENDING, now=at(23, 11))
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED, now=at(23, 12))

    history = list(ticket.events.values_list("kind", "actor", "old_value", "new_value"))
    assert history == [
        ("created", ticket.customer.pk, "", ""),
        ("status", agent.pk, "New", "Pending customer"),
        # Resolving a ticket nobody had makes the agent its assignee, recorded as such.
        ("assigned", agent.pk, "", str(agent)),
        ("status", agent.pk, "Pending customer", "Resolved"),
    ]


def test_resolving_announces_it_to_other_apps(ticket, agent):
    from tickets.signals import ticket_resolved

    received = []
    ticket_resolved.connect(
        lambda sender, ticket, **kw: received.append(ticket.pk), weak=False, dispatch_uid="t"
    )
    try:
        ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED, now=at(23, 12))
    finally:
        ticket_resolved.disconnect(dispatch_uid="t")

    assert received == [ticket.pk]
