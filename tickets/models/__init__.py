"""The tickets app's models, by sub-domain; `from tickets.models import …` is the one import."""

from .calendar import BusinessCalendar, Holiday, WorkingHours
from .catalog import Service, Team
from .conversation import Attachment, CannedResponse, TicketCC, TicketEvent, TicketMessage, _attachment_path
from .policies import PRIORITY_MATRIX, FollowUpPolicy, Impact, Priority, SlaPolicy, Urgency
from .processes import ProcessImprovement
from .ticket import (
    AWAITING_IT_STATUSES,
    RESOLVED_STATUSES,
    SEARCH_CONFIG,
    UNRESOLVED_STATUSES,
    SlaState,
    Ticket,
    TicketStatus,
)

__all__ = [
    "AWAITING_IT_STATUSES",
    "PRIORITY_MATRIX",
    "RESOLVED_STATUSES",
    "SEARCH_CONFIG",
    "UNRESOLVED_STATUSES",
    "Attachment",
    "BusinessCalendar",
    "CannedResponse",
    "FollowUpPolicy",
    "Holiday",
    "Impact",
    "Priority",
    "ProcessImprovement",
    "Service",
    "SlaPolicy",
    "SlaState",
    "Team",
    "Ticket",
    "TicketCC",
    "TicketEvent",
    "TicketMessage",
    "TicketStatus",
    "Urgency",
    "WorkingHours",
    "_attachment_path",  # named by migration 0006
]
