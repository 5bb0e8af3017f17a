"""The process register: a process that turned customers away is escalated with a suggested fix,
judged by the managers, improved, and every customer it turned away hears what changed."""

from datetime import datetime, timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications import publisher
from notifications.services import notify, notify_managers

from ..exceptions import TicketStateError
from ..models import ProcessImprovement, Service, Ticket, TicketEvent
from ._common import event, lock, save, staff_url

PROCESS_FIXED_TASK = "tickets.tasks.process_fixed_followups_task"


@transaction.atomic
def process_escalate(
    *, ticket: Ticket, by: User, process: Service, suggested_fix: str, now: datetime | None = None
) -> ProcessImprovement:
    """The process is cumbersome or broken: propose a fix to the IT managers (e-mailed), record the
    root cause on the ticket; the customer hears back when the process changes. Audited."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    improvement = ProcessImprovement.objects.create(
        process=process, ticket=ticket, proposed_by=by, suggested_fix=suggested_fix, created_at=now
    )
    ticket.root_cause = Ticket.RootCause.PROCESS_BROKEN
    ticket.cited_process = process
    event(ticket, by, TicketEvent.Kind.PROCESS_ESCALATED, new=str(process), note=suggested_fix, now=now)
    save(ticket)
    notify_managers(
        key=f"process-escalated:{improvement.pk}",
        template="tickets/process_escalated",
        context={"improvement": improvement, "ticket": ticket, "by": by},
        url=staff_url(ticket),
        now=now,
    )
    return improvement


@transaction.atomic
def process_health_set(*, process: Service, by: User, health: str) -> Service:
    """How well an official process works, as a manager judges it; a change is audited in the admin
    log (the catalog entry's history), as changes made in the admin are."""
    process = Service.objects.select_for_update().get(pk=process.pk)
    if process.process_health == health:
        return process
    old = process.get_process_health_display()
    process.process_health = health
    process.save(update_fields=["process_health"])
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=Service.objects.filter(pk=process.pk),
        action_flag=CHANGE,
        change_message=f"Process health: {old} → {process.get_process_health_display()} (process register)",
        single_object=True,
    )
    return process


@transaction.atomic
def process_improvement_complete(
    *, improvement: ProcessImprovement, by: User, what_changed: str, now: datetime | None = None
) -> ProcessImprovement:
    """Mark an improvement done; after commit, every customer whose request cited the process is
    told what changed (a Celery task; each customer once)."""
    improvement = ProcessImprovement.objects.select_for_update().get(pk=improvement.pk)
    if improvement.status == ProcessImprovement.Status.DONE:
        raise TicketStateError(_("This improvement is already done."))
    improvement.status = ProcessImprovement.Status.DONE
    improvement.what_changed = what_changed
    improvement.done_at = now or timezone.now()
    improvement.save(update_fields=["status", "what_changed", "done_at"])
    # Never makes the request wait on the broker; process_followups_unsent sends any it could not hand out.
    publisher.publish_after_commit(PROCESS_FIXED_TASK, improvement.pk)
    return improvement


def process_fixed_followups_send(*, improvement_id: int) -> int:
    """Tell each customer the process turned away what changed; returns how many were written.
    Idempotent: each customer's e-mail has its own key."""
    improvement = ProcessImprovement.objects.select_related("process").filter(pk=improvement_id).first()
    if improvement is None or improvement.status != ProcessImprovement.Status.DONE:
        return 0
    customers = User.objects.filter(
        pk__in=Ticket.objects.filter(cited_process=improvement.process).values("customer_id"), is_active=True
    )
    written = 0
    with transaction.atomic():
        improvement_row = (
            ProcessImprovement.objects.select_for_update().only("followups_sent_at").get(pk=improvement.pk)
        )
        if improvement_row.followups_sent_at is not None:
            return 0  # an earlier run told them
        for customer in customers:
            notify(
                recipient=customer,
                key=f"process-fixed:{improvement.pk}:{customer.pk}",
                template="tickets/process_fixed",
                context={"improvement": improvement},
                url=improvement.process.get_absolute_url(),
            )
            written += 1
        improvement_row.followups_sent_at = timezone.now()
        improvement_row.save(update_fields=["followups_sent_at"])
    return written


def process_followups_unsent(*, now: datetime, batch_size: int = 50) -> int:
    """Improvements marked done whose customers were never told (the broker was down): tell them.
    Run by the follow-up scan."""
    pending = list(
        ProcessImprovement.objects.filter(
            status=ProcessImprovement.Status.DONE,
            followups_sent_at__isnull=True,
            done_at__lte=now - timedelta(minutes=2),
        ).values_list("pk", flat=True)[:batch_size]
    )
    for improvement_id in pending:
        process_fixed_followups_send(improvement_id=improvement_id)
    return len(pending)
