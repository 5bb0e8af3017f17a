"""Proactive follow-ups and SLA alerts: nobody waiting on IT is forgotten. Urgent requests get
progress updates throughout the day until resolved, even when there is no progress to report.

Each open ticket carries its next follow-up (`followup_due_at`, `followup_stage`) and its next
SLA alert (`sla_alert_due_at`, `sla_alert_stage`), set by schedules.py whenever the status, the
priority or the conversation changes. A scan every minute claims what is due through partial
indexes (its cost follows the due set, not the table) and hands each ticket to a worker; the
worker locks the ticket, checks the moment is still due and does one step:

    follow-up, open:    nudge the assignee → (grace) → automatic update to the customer → …
    follow-up, pending: remind the customer → (more days) → resolve, saying how to reopen
    SLA:                warn the assignee at SLA_WARN_AT_SHARE → tell the managers at the breach

Every message goes through notifications.notify under a key naming the ticket, the step and its
due moment, and the step moves the schedule on in the same transaction: a task delivered twice,
a scan run twice or two beats at once send nothing twice. Nothing is sent outside business hours.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from notifications import publisher
from notifications.services import notify_managers

from .. import selectors, sla
from ..models import Ticket, TicketEvent
from ._common import event, lock, message_add, notify_about_ticket, notify_customer, staff_url
from .processes import process_followups_unsent
from .schedules import business_moment, followup_schedule, followup_set, sla_alert_set, sla_alert_towards
from .workflow import ticket_resolve_for_want_of_answer

FOLLOWUP_TASK = "tickets.tasks.followup_process_task"
SLA_ALERT_TASK = "tickets.tasks.sla_alert_process_task"
# Tickets per worker task: publishing one message per ticket made a 10,000-ticket scan take 7 s.
TASK_CHUNK = 50


# --- The scans (beat, every minute) ---------------------------------------------------------


def followups_scan(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Hand every ticket with a follow-up or SLA alert due to a worker; returns how many tickets."""
    now = now or timezone.now()
    batch_size = batch_size or settings.FOLLOWUP_SCAN_BATCH
    handed = 0
    for due_field, enqueued_field, task_name in (
        ("followup_due_at", "followup_enqueued_at", FOLLOWUP_TASK),
        ("sla_alert_due_at", "sla_alert_enqueued_at", SLA_ALERT_TASK),
    ):
        while True:
            ids = _claim_due(due_field, enqueued_field, now=now, batch_size=batch_size)
            if not ids:
                break
            chunks = [ids[start : start + TASK_CHUNK] for start in range(0, len(ids), TASK_CHUNK)]
            # A chunk redelivered after a worker died is harmless: each step checks itself.
            tasks_published = publisher.publish_now(task_name, [(chunk,) for chunk in chunks])
            published = sum(len(chunk) for chunk in chunks[:tasks_published])
            handed += published
            if published < len(ids):
                # The broker is down: give the rest back, so the next scan hands them out.
                Ticket.objects.filter(pk__in=ids[published:]).update(**{enqueued_field: None})
                break
            if len(ids) < batch_size:
                break
    process_followups_unsent(now=now)
    return handed


def due_ticket_ids(due_field: str, enqueued_field: str, *, now: datetime, batch_size: int) -> list[int]:
    """The due set's next batch, through the partial index on the due column (the benchmark's query)."""
    return list(_due(due_field, enqueued_field, now=now).values_list("pk", flat=True)[:batch_size])


def _due(due_field: str, enqueued_field: str, *, now: datetime):
    requeue_before = now - timedelta(seconds=settings.FOLLOWUP_REQUEUE_AFTER_SECONDS)
    return (
        Ticket.objects.filter(**{f"{due_field}__lte": now})
        .filter(Q(**{f"{enqueued_field}__isnull": True}) | Q(**{f"{enqueued_field}__lt": requeue_before}))
        .order_by(due_field)
    )


def _claim_due(due_field: str, enqueued_field: str, *, now: datetime, batch_size: int) -> list[int]:
    """Mark a batch of due tickets as handed out, skipping rows another scan holds right now."""
    with transaction.atomic():
        ids = list(
            _due(due_field, enqueued_field, now=now)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch_size]
        )
        Ticket.objects.filter(pk__in=ids).update(**{enqueued_field: now})
    return ids


# --- One ticket's step (a worker) -----------------------------------------------------------


def followup_process(*, ticket_id: int, now: datetime | None = None) -> str:
    """Do the ticket's due follow-up step, once; returns what was done ("" for nothing)."""
    now = now or timezone.now()
    calendar = selectors.working_calendar_get()
    with transaction.atomic():
        ticket = _lock_if_due(ticket_id, "followup_due_at", now=now)
        if ticket is None:
            return ""  # done by an earlier delivery of this task, or rescheduled since
        if _closed(calendar, now):
            ticket.followup_due_at, ticket.followup_enqueued_at = business_moment(calendar, now), None
            _save_schedule(ticket)
            return ""
        stage, due = ticket.followup_stage, ticket.followup_due_at
        if stage == Ticket.FollowUp.NUDGE:
            _nudge_assignee(ticket, due=due, now=now)
            followup_set(
                ticket,
                Ticket.FollowUp.UPDATE,
                sla.add_business_minutes(calendar, now, settings.FOLLOWUP_GRACE_MINUTES),
            )
        elif stage == Ticket.FollowUp.UPDATE:
            followup_schedule(ticket, now=now, calendar=calendar)
            _automatic_update(ticket, due=due, next_update_at=ticket.followup_due_at, now=now)
        elif stage == Ticket.FollowUp.REMIND:
            resolve_at = business_moment(calendar, now + timedelta(days=settings.PENDING_RESOLVE_AFTER_DAYS))
            key = f"pending-reminder:{ticket.pk}:{due.isoformat()}"
            notify_customer(ticket, key, "tickets/pending_reminder", now=now, resolve_at=resolve_at)
            event(ticket, None, TicketEvent.Kind.CUSTOMER_REMINDED, now=now)
            followup_set(ticket, Ticket.FollowUp.RESOLVE, resolve_at)
        elif stage == Ticket.FollowUp.RESOLVE:
            ticket_resolve_for_want_of_answer(ticket=ticket, now=now)  # saves, and reschedules (none)
            return stage
        _save_schedule(ticket)
        return stage


def sla_alert_process(*, ticket_id: int, now: datetime | None = None) -> str:
    """Send the ticket's due SLA warning or breach, once; returns which ("" for nothing)."""
    now = now or timezone.now()
    calendar = selectors.working_calendar_get()
    with transaction.atomic():
        ticket = _lock_if_due(ticket_id, "sla_alert_due_at", now=now)
        if ticket is None:
            return ""
        stage = ticket.sla_alert_stage
        first = stage in (Ticket.SlaAlert.WARN_FIRST, Ticket.SlaAlert.BREACH_FIRST)
        target = "first answer" if first else "resolution"
        due = ticket.first_response_due_at if first else ticket.resolution_due_at
        context = {"ticket": ticket, "target": target, "due": due}
        if stage in (Ticket.SlaAlert.WARN_FIRST, Ticket.SlaAlert.WARN_RESOLUTION):
            if ticket.assignee_id:
                key = f"sla-warn:{ticket.pk}:{stage}:{due.isoformat()}"
                notify_about_ticket(ticket.assignee, key, "tickets/sla_warning", **context)
            note = f"{target.capitalize()} due {due:%a %d %b %H:%M}"
            event(ticket, None, TicketEvent.Kind.SLA_WARNED, note=note, now=now)
            sla_alert_set(
                ticket, Ticket.SlaAlert.BREACH_FIRST if first else Ticket.SlaAlert.BREACH_RESOLUTION, due
            )
        else:
            key = f"sla-breach:{ticket.pk}:{stage}:{due.isoformat()}"
            notify_managers(key=key, template="tickets/sla_breached", context=context, url=staff_url(ticket))
            if ticket.assignee_id:
                # Under the key a manager's copy would have: an assignee who manages is told once.
                notify_about_ticket(
                    ticket.assignee, f"{key}:{ticket.assignee_id}", "tickets/sla_breached", **context
                )
            note = f"{target.capitalize()} was due {due:%a %d %b %H:%M}"
            event(ticket, None, TicketEvent.Kind.SLA_BREACHED, note=note, now=now)
            if first:
                sla_alert_towards(ticket, "resolution", now=now, calendar=calendar)  # the next to watch
            else:
                sla_alert_set(ticket, "", None)
        _save_schedule(ticket, sla_alert=True)
        return stage


def _nudge_assignee(ticket: Ticket, *, due: datetime, now: datetime) -> None:
    """The customer is due an update: ask the assignee first (the queue shows it to the team)."""
    if ticket.assignee_id and ticket.assignee.is_active:
        key = f"followup-nudge:{ticket.pk}:{due.isoformat()}"
        notify_about_ticket(
            ticket.assignee, key, "tickets/update_due", ticket=ticket, grace=settings.FOLLOWUP_GRACE_MINUTES
        )
    event(ticket, None, TicketEvent.Kind.UPDATE_NUDGED, new=str(ticket.assignee or ""), now=now)


def _automatic_update(ticket: Ticket, *, due: datetime, next_update_at: datetime, now: datetime) -> None:
    """Tell the customer, in plain words, where their request stands; kept in the conversation
    (and its search document) as the desk's own message."""
    body = render_to_string(
        "tickets/automatic_update.md", {"ticket": ticket, "next_update_at": next_update_at}
    ).strip()
    message = message_add(ticket, None, body, now=now)
    event(ticket, None, TicketEvent.Kind.AUTO_UPDATE, now=now)
    notify_customer(
        ticket,
        f"followup-update:{ticket.pk}:{due.isoformat()}",
        "tickets/automatic_update",
        now=now,
        message=message,
    )


def _closed(calendar: sla.WorkingCalendar, now: datetime) -> bool:
    return business_moment(calendar, now) > now


def _lock_if_due(ticket_id: int, due_field: str, *, now: datetime) -> Ticket | None:
    """The ticket, locked, if its moment in `due_field` has come; else None."""
    try:
        ticket = lock(ticket_id)
    except Ticket.DoesNotExist:
        return None
    due = getattr(ticket, due_field)
    return ticket if due is not None and due <= now else None


def _save_schedule(ticket: Ticket, *, sla_alert: bool = False) -> None:
    fields = ["followup_due_at", "followup_stage", "followup_enqueued_at"]
    if sla_alert:
        fields = ["sla_alert_due_at", "sla_alert_stage", "sla_alert_enqueued_at"]
    ticket.save(update_fields=fields)
