"""Proactive follow-ups and SLA alerts: nobody waiting on IT is forgotten (seed 002: "follow up
throughout the day with updates; even if progress isn't being made").

Each open ticket carries its next follow-up (`followup_due_at`, `followup_stage`) and its next
SLA alert (`sla_alert_due_at`, `sla_alert_stage`), set by the ticket services whenever the status,
the priority or the conversation changes. A scan every minute claims what is due through partial
indexes (its cost follows the due set, not the table) and hands each ticket to a worker; the
worker locks the ticket, checks the moment is still due and does one step:

    follow-up, open:    nudge the assignee → (grace) → automatic update to the customer → …
    follow-up, pending: remind the customer → (more days) → resolve, saying how to reopen
    SLA:                warn the assignee at SLA_WARN_AT_SHARE → tell the managers at the breach

Every message goes through notifications.notify under a key naming the ticket, the step and its
due moment, and the step moves the schedule on in the same transaction: a task delivered twice,
a scan run twice or two beats at once send nothing twice. Nothing is sent outside business hours.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import selectors as account_selectors
from customers.models import CustomerCategory
from notifications.publisher import broker_connection
from notifications.services import notify

from . import selectors, sla
from .models import FollowUpPolicy, Priority, ProcessImprovement, Ticket, TicketEvent, TicketMessage

logger = logging.getLogger(__name__)

# Working minutes without news after which the customer is owed an update (seed 002: urgent
# every two hours, high every business day, the rest every few days). VIPs hear twice as often.
DEFAULT_UPDATE_MINUTES = {
    Priority.CRITICAL: 2 * 60,
    Priority.HIGH: 8 * 60,
    Priority.MEDIUM: 3 * 8 * 60,
    Priority.LOW: 5 * 8 * 60,
}
VIP_FACTOR = 0.5

# Tickets per worker task: publishing one message per ticket made a 10,000-ticket scan take 7 s.
TASK_CHUNK = 50


# --- Scheduling (called by the ticket services; the caller saves the ticket) ----------------


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
            priority=ticket.priority, category=selectors.customer_category_get(user=ticket.customer)
        )
        _followup_set(ticket, Ticket.FollowUp.NUDGE, sla.add_business_minutes(calendar, now, minutes))
    elif ticket.status == Ticket.Status.PENDING:
        due = _business_moment(calendar, now + timedelta(days=settings.PENDING_REMIND_AFTER_DAYS))
        _followup_set(ticket, Ticket.FollowUp.REMIND, due)
    else:
        _followup_set(ticket, "", None)


def sla_alert_schedule(ticket: Ticket, *, now: datetime, calendar: sla.WorkingCalendar | None = None) -> None:
    """The next SLA alert: a warning at SLA_WARN_AT_SHARE of the current target, then its breach.
    None while the clock stands still (pending, resolved)."""
    if ticket.status not in Ticket.AWAITING_IT_STATUSES:
        _sla_alert_set(ticket, "", None)
        return
    calendar = calendar or selectors.working_calendar_get()
    if ticket.first_responded_at is None:
        _sla_alert_towards(ticket, "first", now=now, calendar=calendar)
    else:
        _sla_alert_towards(ticket, "resolution", now=now, calendar=calendar)


def _sla_alert_towards(ticket: Ticket, target: str, *, now: datetime, calendar: sla.WorkingCalendar) -> None:
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
        _sla_alert_set(ticket, warn, warn_at)
    elif now < due:
        _sla_alert_set(ticket, warn, now)  # already past the warning point (the target moved): warn now
    else:
        _sla_alert_set(ticket, breach, due)


def _followup_set(ticket: Ticket, stage: str, due: datetime | None) -> None:
    ticket.followup_stage, ticket.followup_due_at, ticket.followup_enqueued_at = stage, due, None


def _sla_alert_set(ticket: Ticket, stage: str, due: datetime | None) -> None:
    ticket.sla_alert_stage, ticket.sla_alert_due_at, ticket.sla_alert_enqueued_at = stage, due, None


def _business_moment(calendar: sla.WorkingCalendar, moment: datetime) -> datetime:
    """The moment itself if the desk is open then, else when it next opens."""
    return sla.add_business_minutes(calendar, moment, 0)


# --- The scans (beat, every minute) ---------------------------------------------------------


def followups_scan(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Hand every ticket with a follow-up or SLA alert due to a worker; returns how many tasks."""
    from .tasks import followup_process_task, sla_alert_process_task  # tasks import this module

    now = now or timezone.now()
    batch_size = batch_size or settings.FOLLOWUP_SCAN_BATCH
    handed = 0
    for due_field, enqueued_field, task in (
        ("followup_due_at", "followup_enqueued_at", followup_process_task),
        ("sla_alert_due_at", "sla_alert_enqueued_at", sla_alert_process_task),
    ):
        while True:
            ids = _claim_due(due_field, enqueued_field, now=now, batch_size=batch_size)
            if not ids:
                break
            published = _publish(task, ids)
            handed += published
            if published < len(ids):
                # The broker is down: give the rest back, so the next scan hands them out.
                Ticket.objects.filter(pk__in=ids[published:]).update(**{enqueued_field: None})
                break
            if len(ids) < batch_size:
                break
    process_followups_unsent(now=now)
    return handed


def process_followups_unsent(*, now: datetime, batch_size: int = 50) -> int:
    """Improvements marked done whose customers were never told (the broker was down): tell them."""
    from .services import process_fixed_followups_send  # services import this module

    pending = ProcessImprovement.objects.filter(
        status=ProcessImprovement.Status.DONE,
        followups_sent_at__isnull=True,
        done_at__lte=now - timedelta(minutes=2),
    ).values_list("pk", flat=True)[:batch_size]
    pending = list(pending)
    for improvement_id in pending:
        process_fixed_followups_send(improvement_id=improvement_id)
    return len(pending)


def due_ticket_ids(due_field: str, enqueued_field: str, *, now: datetime, batch_size: int) -> list[int]:
    """The due set's next batch, through the partial index on the due column (the benchmark's query)."""
    requeue_before = now - timedelta(seconds=settings.FOLLOWUP_REQUEUE_AFTER_SECONDS)
    return list(
        Ticket.objects.filter(**{f"{due_field}__lte": now})
        .filter(Q(**{f"{enqueued_field}__isnull": True}) | Q(**{f"{enqueued_field}__lt": requeue_before}))
        .order_by(due_field)
        .values_list("pk", flat=True)[:batch_size]
    )


def _claim_due(due_field: str, enqueued_field: str, *, now: datetime, batch_size: int) -> list[int]:
    """Mark a batch of due tickets as handed out, skipping rows another scan holds right now."""
    requeue_before = now - timedelta(seconds=settings.FOLLOWUP_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        ids = list(
            Ticket.objects.filter(**{f"{due_field}__lte": now})
            .filter(Q(**{f"{enqueued_field}__isnull": True}) | Q(**{f"{enqueued_field}__lt": requeue_before}))
            .order_by(due_field)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch_size]
        )
        Ticket.objects.filter(pk__in=ids).update(**{enqueued_field: now})
    return ids


def _publish(task, ids: list[int]) -> int:
    """Publish the tickets in chunks (a task each) over one broker connection; returns how many
    tickets made it. A chunk redelivered after a worker died is harmless: each step checks itself."""
    published = 0
    try:
        with broker_connection() as conn:
            producer = conn.Producer()
            for start in range(0, len(ids), TASK_CHUNK):
                chunk = ids[start : start + TASK_CHUNK]
                task.apply_async((chunk,), producer=producer)
                published += len(chunk)
    except Exception:
        logger.warning("Broker unreachable; %s follow-ups wait for the next scan.", len(ids) - published)
    return published


# --- One ticket's step (a worker) -----------------------------------------------------------


def followup_process(*, ticket_id: int, now: datetime | None = None) -> str:
    """Do the ticket's due follow-up step, once; returns what was done ("" for nothing)."""
    now = now or timezone.now()
    calendar = selectors.working_calendar_get()
    with transaction.atomic():
        ticket = _lock(ticket_id)
        if ticket is None or ticket.followup_due_at is None or ticket.followup_due_at > now:
            return ""  # done by an earlier delivery of this task, or rescheduled since
        if _closed(calendar, now):
            ticket.followup_due_at, ticket.followup_enqueued_at = _business_moment(calendar, now), None
            _save_schedule(ticket)
            return ""
        stage, due = ticket.followup_stage, ticket.followup_due_at
        if stage == Ticket.FollowUp.NUDGE:
            _nudge_assignee(ticket, due=due, now=now)
            _followup_set(
                ticket,
                Ticket.FollowUp.UPDATE,
                sla.add_business_minutes(calendar, now, settings.FOLLOWUP_GRACE_MINUTES),
            )
        elif stage == Ticket.FollowUp.UPDATE:
            followup_schedule(ticket, now=now, calendar=calendar)
            _automatic_update(ticket, due=due, next_update_at=ticket.followup_due_at, now=now)
        elif stage == Ticket.FollowUp.REMIND:
            resolve_at = _business_moment(calendar, now + timedelta(days=settings.PENDING_RESOLVE_AFTER_DAYS))
            _remind_customer(ticket, due=due, resolve_at=resolve_at, now=now)
            _followup_set(ticket, Ticket.FollowUp.RESOLVE, resolve_at)
        elif stage == Ticket.FollowUp.RESOLVE:
            from .services import ticket_resolve_for_want_of_answer  # services import this module

            ticket_resolve_for_want_of_answer(ticket=ticket, now=now)  # saves, and reschedules (none)
            return stage
        _save_schedule(ticket)
        return stage


def sla_alert_process(*, ticket_id: int, now: datetime | None = None) -> str:
    """Send the ticket's due SLA warning or breach, once; returns which ("" for nothing)."""
    now = now or timezone.now()
    calendar = selectors.working_calendar_get()
    with transaction.atomic():
        ticket = _lock(ticket_id)
        if ticket is None or ticket.sla_alert_due_at is None or ticket.sla_alert_due_at > now:
            return ""
        stage = ticket.sla_alert_stage
        first = stage in (Ticket.SlaAlert.WARN_FIRST, Ticket.SlaAlert.BREACH_FIRST)
        target = "first answer" if first else "resolution"
        due = ticket.first_response_due_at if first else ticket.resolution_due_at
        if stage in (Ticket.SlaAlert.WARN_FIRST, Ticket.SlaAlert.WARN_RESOLUTION):
            if ticket.assignee_id:
                key = f"sla-warn:{ticket.pk}:{stage}:{due.isoformat()}"
                _notify_staff(ticket, ticket.assignee, key, "tickets/sla_warning", target=target, due=due)
            _event(
                ticket,
                TicketEvent.Kind.SLA_WARNED,
                note=f"{target.capitalize()} due {due:%a %d %b %H:%M}",
                now=now,
            )
            _sla_alert_set(
                ticket, Ticket.SlaAlert.BREACH_FIRST if first else Ticket.SlaAlert.BREACH_RESOLUTION, due
            )
        else:
            recipients = {m.pk: m for m in account_selectors.managers_list()}
            if ticket.assignee_id:
                recipients.setdefault(ticket.assignee_id, ticket.assignee)
            for recipient in recipients.values():
                key = f"sla-breach:{ticket.pk}:{stage}:{due.isoformat()}:{recipient.pk}"
                _notify_staff(ticket, recipient, key, "tickets/sla_breached", target=target, due=due)
            _event(
                ticket,
                TicketEvent.Kind.SLA_BREACHED,
                note=f"{target.capitalize()} was due {due:%a %d %b %H:%M}",
                now=now,
            )
            if first:
                _sla_alert_towards(ticket, "resolution", now=now, calendar=calendar)  # the next to watch
            else:
                _sla_alert_set(ticket, "", None)
        _save_schedule(ticket, sla_alert=True)
        return stage


def _nudge_assignee(ticket: Ticket, *, due: datetime, now: datetime) -> None:
    """The customer is due an update: ask the assignee first (the queue shows it to the team)."""
    if ticket.assignee_id and ticket.assignee.is_active:
        key = f"followup-nudge:{ticket.pk}:{due.isoformat()}"
        _notify_staff(
            ticket, ticket.assignee, key, "tickets/update_due", grace=settings.FOLLOWUP_GRACE_MINUTES
        )
    _event(ticket, TicketEvent.Kind.UPDATE_NUDGED, new=str(ticket.assignee or ""), now=now)


def _automatic_update(ticket: Ticket, *, due: datetime, next_update_at: datetime, now: datetime) -> None:
    """Tell the customer, in plain words, where their request stands; kept in the conversation."""
    body = render_to_string(
        "tickets/automatic_update.md", {"ticket": ticket, "next_update_at": next_update_at}
    ).strip()
    message = TicketMessage.objects.create(ticket=ticket, author=None, body=body, created_at=now)
    _event(ticket, TicketEvent.Kind.AUTO_UPDATE, now=now)
    notify(
        recipient=ticket.customer,
        key=f"followup-update:{ticket.pk}:{due.isoformat()}",
        template="tickets/automatic_update",
        context={"ticket": ticket, "message": message},
        url=ticket.get_absolute_url(),
        now=now,
    )


def _remind_customer(ticket: Ticket, *, due: datetime, resolve_at: datetime, now: datetime) -> None:
    notify(
        recipient=ticket.customer,
        key=f"pending-reminder:{ticket.pk}:{due.isoformat()}",
        template="tickets/pending_reminder",
        context={"ticket": ticket, "resolve_at": resolve_at},
        url=ticket.get_absolute_url(),
        now=now,
    )
    _event(ticket, TicketEvent.Kind.CUSTOMER_REMINDED, now=now)


def _notify_staff(ticket: Ticket, recipient, key: str, template: str, **context) -> None:
    notify(
        recipient=recipient,
        key=key,
        template=template,
        context={"ticket": ticket, **context},
        url=reverse("tickets:agent_detail", kwargs={"pk": ticket.pk}),
    )


def _event(ticket: Ticket, kind: str, *, new: str = "", note: str = "", now: datetime) -> None:
    TicketEvent.objects.create(
        ticket=ticket, actor=None, kind=kind, new_value=new[:200], note=note, created_at=now
    )


def _closed(calendar: sla.WorkingCalendar, now: datetime) -> bool:
    return _business_moment(calendar, now) > now


def _lock(ticket_id: int) -> Ticket | None:
    # No joins under the lock (see services._lock); related rows load afterwards.
    return Ticket.objects.select_for_update().defer("search_document").filter(pk=ticket_id).first()


def _save_schedule(ticket: Ticket, *, sla_alert: bool = False) -> None:
    fields = ["followup_due_at", "followup_stage", "followup_enqueued_at"]
    if sla_alert:
        fields = ["sla_alert_due_at", "sla_alert_stage", "sla_alert_enqueued_at"]
    ticket.save(update_fields=fields)
