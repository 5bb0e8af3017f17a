from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from surveys.models import Survey
from surveys.services import survey_answer
from tickets.models import Service, Ticket
from tickets.services import ticket_claim, ticket_create, ticket_status_change

from ..accounts.factories import CustomerFactory
from ..tickets.factories import ServiceFactory

LOGGED_BY_AN_AGENT = (Ticket.Channel.PHONE, Ticket.Channel.WALK_IN)


def ticket_came_in(
    channel: str, *, agent: User, grade: str = "", days_ago: int = 3, service: Service | None = None
) -> Ticket:
    """A request made through the services as it came in (a call or a visit logged by the agent),
    and, given a grade, resolved by the agent and graded by the customer."""
    when = timezone.now() - timedelta(days=days_ago)
    ticket = ticket_create(
        customer=CustomerFactory(),
        title=f"Came in by {channel}",
        description="The printer jams again.",
        service=service or ServiceFactory(),
        urgency="medium",
        impact="low",
        channel=channel,
        by=agent if channel in LOGGED_BY_AN_AGENT else None,
        now=when,
    )
    if not grade:
        return ticket
    ticket_claim(ticket=ticket, agent=agent, now=when + timedelta(minutes=10))
    ticket = ticket_status_change(ticket=ticket, by=agent, status="resolved", now=when + timedelta(hours=1))
    survey = ticket.surveys.get()
    Survey.objects.filter(pk=survey.pk).update(invited_at=when + timedelta(hours=1))
    survey_answer(survey=survey, answers={"grade": grade}, now=when + timedelta(hours=2))
    return ticket
