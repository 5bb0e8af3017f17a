from datetime import datetime

from tickets.models import Ticket

from . import services


def bypass_noticed(sender, ticket: Ticket, now: datetime, **kwargs) -> None:
    """A request redirected because the customer chose to bypass the process may tip them over
    the repeat-offender threshold: check, and suggest it to a manager if so."""
    if ticket.root_cause == Ticket.RootCause.BYPASSED_PROCESS:
        services.repeat_offender_suggestion_check(customer=ticket.customer, now=now)
