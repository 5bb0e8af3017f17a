"""Everything the tickets app changes. Each change locks the ticket, records a TicketEvent and
queues its e-mails through the outbox, all in one transaction."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User
from customers.models import CustomerCategory, CustomerProfile
from notifications.publisher import task_after_commit
from notifications.services import notify

from . import followups, selectors, sla
from .attachments import content_type_for, display_name
from .exceptions import TicketClaimedError, TicketStateError
from .models import (
    PRIORITY_MATRIX,
    SEARCH_CONFIG,
    Attachment,
    ProcessImprovement,
    Service,
    Team,
    Ticket,
    TicketEvent,
    TicketMessage,
)
from .signals import ticket_redirected, ticket_resolved


@transaction.atomic
def ticket_create(
    *,
    customer: User,
    title: str,
    description: str,
    service: Service,
    urgency: str,
    impact: str,
    attachments: list[UploadedFile] = (),
    now: datetime | None = None,
) -> Ticket:
    """Open a request with its SLA due times; audited; e-mails the customer what to expect."""
    now = now or timezone.now()
    ticket = Ticket(
        title=title,
        description=description,
        customer=customer,
        service=service,
        urgency=urgency,
        impact=impact,
        priority=PRIORITY_MATRIX[(urgency, impact)],
        team=service.default_team,
        created_at=now,
    )
    _sla_due_times_set(ticket)
    _schedules_refresh(ticket, now=now)
    ticket.save()
    _attachments_add(ticket, None, customer, attachments, now=now)
    _event(ticket, customer, TicketEvent.Kind.CREATED, now=now)
    _search_document_refresh(ticket.pk)
    _email_customer(ticket, f"ticket-created:{ticket.pk}", "tickets/created")
    return ticket


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    internal: bool = False,
    attachments: list[UploadedFile] = (),
    now: datetime | None = None,
) -> TicketMessage:
    """Add a public reply or an internal note; audited; e-mails the other side of a public reply.

    An agent's first public reply meets the first-response target and opens a new ticket; a
    customer's reply to a ticket waiting on them starts its SLA clock again.
    """
    now = now or timezone.now()
    ticket = _lock(ticket)
    from_customer = author.pk == ticket.customer_id
    if from_customer and internal:
        raise TicketStateError(_("Customers cannot add internal notes."))
    if ticket.status == Ticket.Status.CLOSED:
        raise TicketStateError(_("This request is closed. Please submit a new one."))
    if from_customer and ticket.status == Ticket.Status.RESOLVED:
        raise TicketStateError(_("This request is resolved. Reopen it if the problem is back."))

    message = _message_add(ticket, author, body, internal=internal, now=now)
    _attachments_add(ticket, message, author, attachments, now=now)
    _event(ticket, author, TicketEvent.Kind.NOTE_ADDED if internal else TicketEvent.Kind.REPLIED, now=now)
    if internal:
        ticket.save(update_fields=["updated_at"])
        return message

    if from_customer:
        if ticket.status == Ticket.Status.PENDING:
            _move(ticket, author, Ticket.Status.OPEN, now=now)
        if ticket.assignee_id:
            _email(
                ticket.assignee,
                f"ticket-customer-replied:{message.pk}",
                "tickets/customer_replied",
                ticket=ticket,
                message=message,
            )
    else:
        if ticket.status == Ticket.Status.NEW:
            _move(ticket, author, Ticket.Status.OPEN, now=now)
        _email_customer(ticket, f"ticket-replied:{message.pk}", "tickets/replied", message=message)
    _save(ticket)
    return message


@transaction.atomic
def ticket_status_change(*, ticket: Ticket, by: User, status: str, now: datetime | None = None) -> Ticket:
    """Move the ticket through the workflow, keeping the SLA clock right; audited.

    Resolving e-mails the customer and announces `ticket_resolved`.
    """
    now = now or timezone.now()
    ticket = _lock(ticket)
    _move(ticket, by, status, now=now)
    _save(ticket)
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, by: User, reason: str, now: datetime | None = None) -> Ticket:
    """The customer reopens a resolved request within the reopen window, saying why; audited."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    if ticket.status != Ticket.Status.RESOLVED:
        raise TicketStateError(_("Only a resolved request can be reopened."))
    if now > ticket.reopen_until:
        raise TicketStateError(
            _("This request was resolved more than %(days)s days ago. Please submit a new one.")
            % {"days": settings.TICKET_REOPEN_DAYS}
        )
    _move(ticket, by, Ticket.Status.OPEN, now=now)
    _save(ticket)
    _message_add(ticket, by, reason, now=now)
    _event(ticket, by, TicketEvent.Kind.REPLIED, now=now)
    return ticket


@transaction.atomic
def ticket_redirect(
    *,
    ticket: Ticket,
    by: User,
    to_service: Service,
    root_cause: str,
    note: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Resolve an out-of-scope request by pointing the customer to the official process.

    Never a flat no: the customer gets the owning department's steps, form and contact as a
    public reply; the ticket records the root cause and resolves as redirected. Audited.
    """
    now = now or timezone.now()
    if to_service.provided_by_it:
        raise TicketStateError(
            _("IT provides %(service)s: resolve the request instead.") % {"service": to_service}
        )
    ticket = _lock(ticket)
    guidance = render_to_string("tickets/redirect_guidance.md", {"service": to_service, "note": note}).strip()
    message = _message_add(ticket, by, guidance, now=now)
    _event(ticket, by, TicketEvent.Kind.REDIRECTED, new=str(to_service), now=now)
    ticket.resolution = Ticket.Resolution.REDIRECTED
    ticket.root_cause = root_cause
    ticket.cited_process = to_service
    _email_customer(ticket, f"ticket-replied:{message.pk}", "tickets/replied", message=message)
    _move(ticket, by, Ticket.Status.RESOLVED, now=now)
    _save(ticket)
    ticket_redirected.send(sender=Ticket, ticket=ticket, now=now)
    return ticket


@transaction.atomic
def ticket_root_cause_record(
    *, ticket: Ticket, by: User, root_cause: str, now: datetime | None = None
) -> Ticket:
    """Record why the customer came to IT instead of the official process; audited."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    if ticket.root_cause != root_cause:
        old = ticket.get_root_cause_display() if ticket.root_cause else ""
        ticket.root_cause = root_cause
        _event(ticket, by, TicketEvent.Kind.ROOT_CAUSE, old=old, new=ticket.get_root_cause_display(), now=now)
        _save(ticket)
    return ticket


@transaction.atomic
def ticket_teach_process(
    *,
    ticket: Ticket,
    by: User,
    to_service: Service,
    called_contact: bool = False,
    note: str = "",
    now: datetime | None = None,
) -> TicketMessage:
    """Teach the customer the official process ("teach them to fish") without closing the request:
    a public reply with where the form is, how to fill it in and whom to call. Records the root
    cause (did not know the process) and, if the agent rang the contact for them, that too."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    if ticket.status == Ticket.Status.CLOSED:
        raise TicketStateError(_("This request is closed."))
    guidance = render_to_string("tickets/redirect_guidance.md", {"service": to_service, "note": note}).strip()
    message = _message_add(ticket, by, guidance, now=now)
    _event(ticket, by, TicketEvent.Kind.TAUGHT, new=str(to_service), now=now)
    if called_contact and to_service.contact_name:
        contact = f"{to_service.contact_name} {to_service.contact_phone}".strip()
        _event(ticket, by, TicketEvent.Kind.CONTACT_CALLED, new=contact[:200], now=now)
    ticket.root_cause = Ticket.RootCause.DID_NOT_KNOW_PROCESS
    ticket.cited_process = to_service
    if ticket.status == Ticket.Status.NEW:
        _move(ticket, by, Ticket.Status.OPEN, now=now)
    _email_customer(ticket, f"ticket-replied:{message.pk}", "tickets/replied", message=message)
    _save(ticket)
    return message


@transaction.atomic
def ticket_fulfil_anyway(*, ticket: Ticket, by: User, note: str, now: datetime | None = None) -> Ticket:
    """Do an out-of-scope request now (the VIP playbook), saying what was done; recorded as such
    and resolved, with a public reply to the customer."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    message = _message_add(ticket, by, note, now=now)
    _event(ticket, by, TicketEvent.Kind.FULFILLED, now=now)
    ticket.resolution = Ticket.Resolution.FULFILLED_BY_IT
    _email_customer(ticket, f"ticket-replied:{message.pk}", "tickets/replied", message=message)
    _move(ticket, by, Ticket.Status.RESOLVED, now=now)
    _save(ticket)
    return ticket


@transaction.atomic
def process_escalate(
    *, ticket: Ticket, by: User, process: Service, suggested_fix: str, now: datetime | None = None
) -> ProcessImprovement:
    """The process is cumbersome or broken: propose a fix to the IT managers (e-mailed), record the
    root cause on the ticket; the customer hears back when the process changes. Audited."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    improvement = ProcessImprovement.objects.create(
        process=process, ticket=ticket, proposed_by=by, suggested_fix=suggested_fix, created_at=now
    )
    ticket.root_cause = Ticket.RootCause.PROCESS_BROKEN
    ticket.cited_process = process
    _event(ticket, by, TicketEvent.Kind.PROCESS_ESCALATED, new=str(process), note=suggested_fix, now=now)
    _save(ticket)
    for manager in account_selectors.managers_list():
        _email(
            manager,
            f"process-escalated:{improvement.pk}:{manager.pk}",
            "tickets/process_escalated",
            improvement=improvement,
            ticket=ticket,
            by=by,
        )
    return improvement


@transaction.atomic
def process_health_set(*, process: Service, by: User, health: str) -> Service:
    """How well an official process works, as the managers judge it."""
    process.process_health = health
    process.save(update_fields=["process_health"])
    return process


@transaction.atomic
def process_improvement_complete(
    *, improvement: ProcessImprovement, by: User, what_changed: str, now: datetime | None = None
) -> ProcessImprovement:
    """Mark an improvement done; after commit, every customer whose request cited the process is
    told what changed (a Celery task; each customer once)."""
    from .tasks import process_fixed_followups_task  # tasks import the services

    improvement = ProcessImprovement.objects.select_for_update().get(pk=improvement.pk)
    if improvement.status == ProcessImprovement.Status.DONE:
        raise TicketStateError(_("This improvement is already done."))
    improvement.status = ProcessImprovement.Status.DONE
    improvement.what_changed = what_changed
    improvement.done_at = now or timezone.now()
    improvement.save(update_fields=["status", "what_changed", "done_at"])
    # Never makes the request wait on the broker; the follow-up scan sends any it could not hand out.
    task_after_commit(process_fixed_followups_task, improvement.pk)
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
        lock = ProcessImprovement.objects.select_for_update().only("followups_sent_at").get(pk=improvement.pk)
        if lock.followups_sent_at is not None:
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
        lock.followups_sent_at = timezone.now()
        lock.save(update_fields=["followups_sent_at"])
    return written


def ticket_resolve_for_want_of_answer(*, ticket: Ticket, now: datetime) -> Ticket:
    """The customer never answered (the pending follow-ups ran out): resolve, saying how to
    reopen. Called by the follow-up worker with the ticket locked; audited as the desk's doing."""
    ticket.resolution = Ticket.Resolution.NO_ANSWER
    _move(ticket, None, Ticket.Status.RESOLVED, now=now, resolved_template="tickets/resolved_no_answer")
    _save(ticket)
    return ticket


@transaction.atomic
def ticket_team_change(*, ticket: Ticket, by: User, team: Team | None, now: datetime | None = None) -> Ticket:
    """Route the ticket to another team (or none); audited."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    if ticket.team_id != (team.pk if team else None):
        old = str(ticket.team or "")
        ticket.team = team
        _event(ticket, by, TicketEvent.Kind.TEAM_CHANGED, old=old, new=str(team or ""), now=now)
        _save(ticket)
    return ticket


@transaction.atomic
def ticket_priority_change(*, ticket: Ticket, by: User, priority: str, now: datetime | None = None) -> Ticket:
    """Re-prioritise; the SLA due times follow the new priority's targets. Audited."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    if ticket.priority != priority:
        old = ticket.get_priority_display()
        ticket.priority = priority
        _sla_due_times_set(ticket)
        _schedules_refresh(ticket, now=now)
        _event(
            ticket, by, TicketEvent.Kind.PRIORITY_CHANGED, old=old, new=ticket.get_priority_display(), now=now
        )
        _save(ticket)
    return ticket


@transaction.atomic
def ticket_escalate(
    *, ticket: Ticket, by: User, reason: str, to_customers_manager: bool = False, now: datetime | None = None
) -> Ticket:
    """Ask the IT managers to step in, saying why; audited; e-mails every manager.

    `to_customers_manager`: the repeat-offender playbook's escalation. The process is fine and
    the customer will not follow it, so IT's manager is asked to raise it with the customer's
    own manager (named in the e-mail when the profile knows them).
    """
    now = now or timezone.now()
    ticket = _lock(ticket)
    if not ticket.is_unresolved:
        raise TicketStateError(_("Only an open request can be escalated."))
    ticket.escalated_at = now
    target = _("to the customer's manager, through IT's manager") if to_customers_manager else ""
    event = _event(ticket, by, TicketEvent.Kind.ESCALATED, new=target, note=reason, now=now)
    _save(ticket)
    for manager in account_selectors.managers_list():
        _email(
            manager,
            f"ticket-escalated:{event.pk}:{manager.pk}",
            "tickets/escalated",
            ticket=ticket,
            by=by,
            reason=reason,
            customers_manager=_customers_manager(ticket) if to_customers_manager else None,
            to_customers_manager=to_customers_manager,
        )
    return ticket


@transaction.atomic
def ticket_claim(*, ticket: Ticket, agent: User, now: datetime | None = None) -> Ticket:
    """Take an unassigned ticket. When two agents claim at once exactly one wins; audited."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    if ticket.assignee_id == agent.pk:
        return ticket
    if ticket.assignee_id is not None:
        raise TicketClaimedError(_("%(name)s has already taken this ticket.") % {"name": ticket.assignee})
    _assign(ticket, agent, agent, now=now)
    _save(ticket)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, by: User, assignee: User | None, now: datetime | None = None) -> Ticket:
    """Give the ticket to an agent (or nobody); audited; e-mails the new assignee."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    if ticket.assignee_id != (assignee.pk if assignee else None):
        _assign(ticket, assignee, by, now=now)
        _save(ticket)
    return ticket


def _message_add(
    ticket: Ticket, author: User, body: str, *, internal: bool = False, now: datetime
) -> TicketMessage:
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, body=body, is_internal=internal, created_at=now
    )
    _search_document_refresh(ticket.pk)
    if not internal and author.pk != ticket.customer_id:
        # IT has written to the customer: the first answer (if it is one), and the follow-up
        # clock starts again from now.
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
        _schedules_refresh(ticket, now=now)
    return message


@dataclass
class BulkOutcome:
    updated: list[Ticket] = field(default_factory=list)
    skipped: list[tuple[Ticket, str]] = field(default_factory=list)


def ticket_bulk_update(
    *,
    tickets: list[Ticket],
    by: User,
    assignee: User | None = None,
    status: str = "",
    now: datetime | None = None,
) -> BulkOutcome:
    """Assign and/or move many tickets; each on its own, so one refusal does not undo the others."""
    outcome = BulkOutcome()
    for ticket in tickets:
        try:
            with transaction.atomic():
                if assignee is not None:
                    ticket_assign(ticket=ticket, by=by, assignee=assignee, now=now)
                if status:
                    ticket_status_change(ticket=ticket, by=by, status=status, now=now)
        except TicketStateError as exc:
            outcome.skipped.append((ticket, str(exc)))
        else:
            outcome.updated.append(ticket)
    return outcome


def _customers_manager(ticket: Ticket) -> User | None:
    profile = CustomerProfile.objects.filter(user_id=ticket.customer_id).select_related("manager").first()
    return profile.manager if profile else None


def _attachments_add(
    ticket: Ticket, message: TicketMessage | None, by: User, files: list[UploadedFile], *, now: datetime
) -> None:
    for upload in files:
        name = display_name(upload.name)
        Attachment.objects.create(
            ticket=ticket,
            message=message,
            uploaded_by=by,
            file=upload,
            original_name=name,
            content_type=content_type_for(name),
            size=upload.size,
            created_at=now,
        )


def _search_document_refresh(ticket_id: int) -> None:
    """Rebuild the ticket's full-text document: title, then description, then the conversation."""
    if connection.vendor != "postgresql":
        return  # SQLite searches with LIKE and needs no document
    conversation = (
        TicketMessage.objects.filter(ticket=OuterRef("pk"))
        .values("ticket")
        .annotate(text=StringAgg("body", delimiter="\n"))
        .values("text")
    )
    Ticket.objects.filter(pk=ticket_id).update(
        search_document=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("description", weight="B", config=SEARCH_CONFIG)
        + SearchVector(
            Coalesce(Subquery(conversation), Value(""), output_field=TextField()),
            weight="C",
            config=SEARCH_CONFIG,
        )
    )


def _save(ticket: Ticket) -> None:
    """Write a locked ticket back: every field but the search document, which only
    _search_document_refresh writes (the instance in hand holds a stale copy of it)."""
    ticket.save(
        update_fields=[
            field.name
            for field in Ticket._meta.concrete_fields
            if field.name not in ("id", "search_document")
        ]
    )


def _lock(ticket: Ticket) -> Ticket:
    """The ticket's current row, locked until the transaction ends.

    No joins: after waiting for another transaction's lock, Postgres re-reads the locked row but
    not the rows joined to it, so a joined assignee could be stale. Related rows load afterwards.
    """
    return Ticket.objects.select_for_update().defer("search_document").get(pk=ticket.pk)


def _move(
    ticket: Ticket,
    by: User | None,
    status: str,
    *,
    now: datetime,
    resolved_template: str = "tickets/resolved",
) -> None:
    """Change status in memory, moving the SLA clock (it stops while pending or resolved) and the
    follow-ups. `by` None: the service desk itself (an automatic resolution)."""
    if not ticket.can_move_to(status):
        raise TicketStateError(
            _("A %(old)s request cannot become %(new)s.")
            % {"old": ticket.get_status_display().lower(), "new": Ticket.Status(status).label.lower()}
        )
    if (
        status == Ticket.Status.RESOLVED
        and by is not None
        and not ticket.root_cause
        and selectors.customer_category_get(user=ticket.customer) == CustomerCategory.REPEAT_OFFENDER
    ):
        raise TicketStateError(
            _("This customer keeps going around processes: record the root cause before resolving.")
        )
    old_label = ticket.get_status_display()
    if status == Ticket.Status.PENDING:
        ticket.sla_paused_at = now
    elif status == Ticket.Status.OPEN:
        _resume_sla(ticket, now)
        ticket.resolved_at = None
        ticket.resolution = ""
    elif status == Ticket.Status.RESOLVED:
        ticket.resolved_at = now
        ticket.sla_paused_at = ticket.sla_paused_at or now
        ticket.resolution = ticket.resolution or Ticket.Resolution.FIXED
    elif status == Ticket.Status.CLOSED:
        ticket.closed_at = now
    ticket.status = status
    _event(
        ticket, by, TicketEvent.Kind.STATUS_CHANGED, old=old_label, new=ticket.get_status_display(), now=now
    )
    _schedules_refresh(ticket, now=now)
    if status == Ticket.Status.RESOLVED:
        _email_customer(
            ticket,
            f"ticket-resolved:{ticket.pk}:{now.isoformat()}",
            resolved_template,
            reopen_days=settings.TICKET_REOPEN_DAYS,
        )
        ticket_resolved.send(sender=Ticket, ticket=ticket)


def _schedules_refresh(ticket: Ticket, *, now: datetime) -> None:
    """The ticket's next follow-up and SLA alert, for where it now stands (one calendar read)."""
    calendar = selectors.working_calendar_get()
    followups.followup_schedule(ticket, now=now, calendar=calendar)
    followups.sla_alert_schedule(ticket, now=now, calendar=calendar)


def _resume_sla(ticket: Ticket, now: datetime) -> None:
    """Start the clock again, pushing the due times back by the working time it stood still."""
    if ticket.sla_paused_at is None:
        return
    paused = round(sla.business_minutes_between(selectors.working_calendar_get(), ticket.sla_paused_at, now))
    ticket.sla_paused_at = None
    if paused:
        ticket.sla_paused_minutes += paused
        _sla_due_times_set(ticket)


def _sla_due_times_set(ticket: Ticket) -> None:
    """Due times from submission: the priority's targets (for this customer) plus the time paused."""
    due = selectors.sla_expectation_get(
        priority=ticket.priority,
        category=selectors.customer_category_get(user=ticket.customer),
        start=ticket.created_at,
        paused_minutes=ticket.sla_paused_minutes,
    )
    ticket.first_response_due_at = due.first_response_due_at
    ticket.resolution_due_at = due.resolution_due_at


def _assign(ticket: Ticket, assignee: User | None, by: User, *, now: datetime) -> None:
    old = str(ticket.assignee) if ticket.assignee_id else ""
    ticket.assignee = assignee
    event = _event(ticket, by, TicketEvent.Kind.ASSIGNED, old=old, new=str(assignee or ""), now=now)
    if assignee is not None and assignee != by:
        _email(assignee, f"ticket-assigned:{event.pk}", "tickets/assigned", ticket=ticket, by=by)


def _event(
    ticket: Ticket,
    actor: User | None,
    kind: str,
    *,
    old: str = "",
    new: str = "",
    note: str = "",
    now: datetime,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        old_value=old[:200],
        new_value=new[:200],
        note=note,
        created_at=now,
    )


def _email_customer(ticket: Ticket, key: str, template: str, **context) -> None:
    _email(ticket.customer, key, template, ticket=ticket, **context)


def _email(recipient: User, key: str, template: str, **context) -> None:
    """E-mail and an in-app notice, leading to the ticket as this person sees it."""
    ticket = context["ticket"]
    if recipient.pk == ticket.customer_id:
        url = ticket.get_absolute_url()
    else:
        url = reverse("tickets:agent_detail", kwargs={"pk": ticket.pk})
    notify(recipient=recipient, key=key, template=template, context=context, url=url)
