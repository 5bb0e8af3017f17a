from dataclasses import dataclass
from datetime import datetime, timedelta

from django import template
from django.conf import settings
from django.utils import timezone

from tickets.models import Ticket

register = template.Library()


@dataclass(frozen=True)
class SlaStatus:
    state: str  # on_track, at_risk, breached, paused, met, missed
    label: str
    target: str
    due: datetime


def sla_status(ticket: Ticket, now: datetime) -> SlaStatus:
    """Where the ticket stands against its next SLA target (computed from its fields: no query)."""
    if ticket.resolved_at:
        met = ticket.resolved_at <= ticket.resolution_due_at
        return SlaStatus(
            "met" if met else "missed", "Met" if met else "Missed", "Resolution", ticket.resolution_due_at
        )
    answered = ticket.first_responded_at is not None
    target, due = (
        ("Resolution", ticket.resolution_due_at)
        if answered
        else ("First answer", ticket.first_response_due_at)
    )
    if ticket.sla_paused_at:
        return SlaStatus("paused", "On hold", target, due)
    if due < now:
        return SlaStatus("breached", "Breached", target, due)
    if due < now + timedelta(hours=settings.SLA_AT_RISK_HOURS):
        return SlaStatus("at_risk", "At risk", target, due)
    return SlaStatus("on_track", "On track", target, due)


@register.inclusion_tag("tickets/partials/_sla_badge.html")
def sla_badge(ticket: Ticket) -> dict:
    """The SLA state badge with its target and due time, as the queue and the ticket page show it."""
    return {"sla": sla_status(ticket, timezone.now())}
