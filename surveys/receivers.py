from tickets.models import Ticket

from . import services


def ticket_resolved_survey(sender, ticket: Ticket, **kwargs) -> None:
    """Every resolved request is graded by its customer: schedule the invitation."""
    services.survey_for_resolution(ticket=ticket)
