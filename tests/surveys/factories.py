from datetime import datetime

from django.utils import timezone

from accounts.models import User
from surveys.models import Survey
from tickets.models import Ticket
from tickets.services import ticket_claim, ticket_status_change

from ..accounts.factories import AgentFactory
from ..tickets.factories import TicketFactory


def resolved_ticket(*, agent: User | None = None, now: datetime | None = None, **ticket_fields) -> Ticket:
    """A ticket the agent took and resolved (through the services, so its survey is scheduled)."""
    now = now or timezone.now()
    agent = agent or AgentFactory()
    ticket = TicketFactory(created_at=now, **ticket_fields)
    ticket_claim(ticket=ticket, agent=agent, now=now)
    return ticket_status_change(ticket=ticket, by=agent, status="resolved", now=now)


def answered_survey(
    *, grade: str = "B", agent: User | None = None, customer: User | None = None, **answers
) -> Survey:
    """A resolved ticket's survey, answered (straight in the database, for pages and figures)."""
    ticket = resolved_ticket(agent=agent, **({"customer": customer} if customer else {}))
    survey = ticket.surveys.get()
    Survey.objects.filter(pk=survey.pk).update(
        invited_at=timezone.now(), answered_at=timezone.now(), grade=grade, **answers
    )
    survey.refresh_from_db()
    return survey
