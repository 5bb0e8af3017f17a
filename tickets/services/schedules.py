"""When a ticket's next follow-up and next SLA alert fall, set on the ticket in memory whenever its
status, priority or conversation changes (the caller saves it). See followups.py for what happens
when they fall due."""

from datetime import datetime, timedelta

from django.conf import settings

from customers import selectors as customer_selectors
from customers.models import CustomerCategory

from .. import selectors, sla
from ..models import FollowUpPolicy, Priority, Ticket

# Working minutes without news after which the customer is owed an update: urgent requests every
# two hours, high ones every business day, the rest every few days. VIPs hear twice as often.
DEFAULT_UPDATE_MINUTES = {
    Priority.CRITICAL: 2 * 60,
    Priority.HIGH: 8 * 60,
    Priority.MEDIUM: 3 * 8 * 60,
    Priority.LOW: 5 * 8 * 60,
}
VIP_FACTOR = 0.5


def update_interval_minutes(*, priority: str, category: str) -> int:
    policies = {
        p.customer_category: p.update_every_minutes
        for p in FollowUpPolicy.objects.filter(priority=priority, customer_category__in=[category, ""])
    }
    if category in policies:
        return policies[category]
    default = policies.get("") or DEFAULT_UPDATE_MINUTES[Priority(priority)]
    return round(default * VIP_FACTOR) if category == CustomerCategory.VIP else default


def followup_schedule(ticket: Ticket, *, now: datetime, calendar: sla.WorkingCalendar | None = None) -> None:
    """The next follow-up for the ticket as it now stands: from now, for its status."""
    calendar = calendar or selectors.working_calendar_get()
    if ticket.status in Ticket.AWAITING_IT_STATUSES:
        minutes = update_interval_minutes(
            priority=ticket.priority, category=customer_selectors.customer_category_get(user=ticket.customer)
        )
        followup_set(ticket, Ticket.FollowUp.NUDGE, sla.add_business_minutes(calendar, now, minutes))
    elif ticket.status == Ticket.Status.PENDING:
        due = business_moment(calendar, now + timedelta(days=settings.PENDING_REMIND_AFTER_DAYS))
        followup_set(ticket, Ticket.FollowUp.REMIND, due)
    else:
        followup_set(ticket, "", None)


def sla_alert_schedule(ticket: Ticket, *, now: datetime, calendar: sla.WorkingCalendar | None = None) -> None:
    """The next SLA alert: a warning at SLA_WARN_AT_SHARE of the current target, then its breach.
    None while the clock stands still (pending, resolved)."""
    if ticket.status not in Ticket.AWAITING_IT_STATUSES:
        sla_alert_set(ticket, "", None)
        return
    calendar = calendar or selectors.working_calendar_get()
    target = "first" if ticket.first_responded_at is None else "resolution"
    sla_alert_towards(ticket, target, now=now, calendar=calendar)


def sla_alert_towards(ticket: Ticket, target: str, *, now: datetime, calendar: sla.WorkingCalendar) -> None:
    """Watch one target ("first" answer or "resolution"): its warning, or its breach if past it."""
    if target == "first":
        due, warn, breach = (
            ticket.first_response_due_at,
            Ticket.SlaAlert.WARN_FIRST,
            Ticket.SlaAlert.BREACH_FIRST,
        )
    else:
        due, warn, breach = (
            ticket.resolution_due_at,
            Ticket.SlaAlert.WARN_RESOLUTION,
            Ticket.SlaAlert.BREACH_RESOLUTION,
        )
    span = sla.business_minutes_between(calendar, ticket.created_at, due)
    warn_at = sla.add_business_minutes(calendar, ticket.created_at, span * settings.SLA_WARN_AT_SHARE)
    if now < warn_at:
        sla_alert_set(ticket, warn, warn_at)
    elif now < due:
        sla_alert_set(ticket, warn, now)  # already past the warning point (the target moved): warn now
    else:
        sla_alert_set(ticket, breach, due)


def followup_set(ticket: Ticket, stage: str, due: datetime | None) -> None:
    ticket.followup_stage, ticket.followup_due_at, ticket.followup_enqueued_at = stage, due, None


def sla_alert_set(ticket: Ticket, stage: str, due: datetime | None) -> None:
    ticket.sla_alert_stage, ticket.sla_alert_due_at, ticket.sla_alert_enqueued_at = stage, due, None


def business_moment(calendar: sla.WorkingCalendar, moment: datetime) -> datetime:
    """The moment itself if the desk is open then, else when it next opens."""
    return sla.add_business_minutes(calendar, moment, 0)
