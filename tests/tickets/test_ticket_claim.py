"""Two agents press "Take it" at the same moment: exactly one gets the ticket."""

import threading

import pytest
from django.db import connection

from notifications.models import OutboundEmail
from tickets.exceptions import TicketClaimedError
from tickets.models import TicketEvent
from tickets.services import ticket_assign, ticket_claim

from ..accounts.factories import AgentFactory
from .factories import TicketFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_on_two_connections_have_exactly_one_winner():
    ticket = TicketFactory()
    agents = AgentFactory.create_batch(2)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def claim(agent):
        barrier.wait()  # both transactions start together
        try:
            ticket_claim(ticket=ticket, agent=agent)
            outcomes[agent.username] = "won"
        except TicketClaimedError as exc:
            outcomes[agent.username] = str(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=claim, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    ticket.refresh_from_db()
    winner = next(agent for agent in agents if outcomes[agent.username] == "won")
    loser = next(agent for agent in agents if agent != winner)
    assert ticket.assignee == winner
    assert outcomes[loser.username] == f"{winner.display_name} has already taken this ticket."
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).count() == 1


@pytest.mark.django_db
def test_claiming_your_own_ticket_again_changes_nothing(agent):
    ticket = TicketFactory()
    ticket_claim(ticket=ticket, agent=agent)

    ticket_claim(ticket=ticket, agent=agent)

    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).count() == 1


@pytest.mark.django_db
def test_assigning_to_someone_else_emails_them_and_is_recorded(agent, manager):
    ticket = TicketFactory()

    ticket_assign(ticket=ticket, by=manager, assignee=agent)

    event = ticket.events.get(kind=TicketEvent.Kind.ASSIGNED)
    assert (event.actor, event.old_value, event.new_value) == (manager, "", agent.display_name)
    assert OutboundEmail.objects.get(template="tickets/assigned").to_address == agent.email
