"""What every ticket change is made of: lock the row, move the status and the SLA clock, add to
the conversation, record the event, tell the people concerned, save. The services of this package
are built from these and nothing else, so a rule here holds for every way a ticket changes."""

from datetime import datetime

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.db.models import OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import works_tickets
from customers import selectors as customer_selectors
from customers.models import CustomerCategory
from notifications.services import notify, thread_message_id

from .. import selectors, sla
from ..attachments import content_type_for, display_name
from ..exceptions import TicketStateError
from ..models import SEARCH_CONFIG, Attachment, Ticket, TicketCC, TicketEvent, TicketMessage
from ..signals import ticket_event_recorded, ticket_resolved
from . import schedules


def lock(ticket_id: int) -> Ticket:
    """The ticket's current row, locked until the transaction ends (Ticket.DoesNotExist if gone).

    No joins: after waiting for another transaction's lock, Postgres re-reads the locked row but
    not the rows joined to it, so a joined assignee could be stale. Related rows load afterwards.
    """
    return Ticket.objects.select_for_update().defer("search_document").get(pk=ticket_id)


def save(ticket: Ticket) -> None:
    """Write a locked ticket back: every field but the search document, which only
    search_document_refresh writes (the instance in hand holds a stale copy of it)."""
    ticket.save(
        update_fields=[
            field.name
            for field in Ticket._meta.concrete_fields
            if field.name not in ("id", "search_document")
        ]
    )


def event(
    ticket: Ticket,
    actor: User | None,
    kind: str,
    *,
    old: str = "",
    new: str = "",
    note: str = "",
    now: datetime,
) -> TicketEvent:
    """Record a change in the ticket's history, and announce it (`ticket_event_recorded`).
    `actor` None: the service desk itself."""
    recorded = TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        old_value=old[:200],
        new_value=new[:200],
        note=note,
        created_at=now,
    )
    ticket_event_recorded.send(sender=Ticket, ticket=ticket, event=recorded)
    return recorded


def message_add(
    ticket: Ticket,
    author: User | None,
    body: str,
    *,
    internal: bool = False,
    from_cc: bool = False,
    now: datetime,
) -> TicketMessage:
    """Add to the conversation and to the search document. `author` None: the desk's automatic
    status update; `from_cc`: written by someone copied on the request. A public message from a
    person at IT answers the customer: the first answer (if it is one), and the follow-up clock
    starts again from now."""
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, body=body, is_internal=internal, from_cc=from_cc, created_at=now
    )
    search_document_refresh(ticket.pk)
    if author is not None and not internal and not from_cc and author.pk != ticket.customer_id:
        handler_take(ticket, author, now=now)
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
        schedules_refresh(ticket, now=now)
    return message


def handler_take(ticket: Ticket, by: User, *, now: datetime) -> None:
    """Whoever at IT answers or resolves a ticket nobody has becomes its assignee (in memory;
    audited as an assignment), so the ticket and the reports say who handled it."""
    if ticket.assignee_id is None:
        ticket.assignee = by
        event(ticket, by, TicketEvent.Kind.ASSIGNED, new=str(by), now=now)


def attachments_add(
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


def search_document_refresh(ticket_id: int) -> None:
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


def move(
    ticket: Ticket,
    by: User | None,
    status: str,
    *,
    now: datetime,
    resolved_template: str = "tickets/resolved",
) -> None:
    """Change status in memory, moving the SLA clock (it stops while pending or resolved) and the
    follow-ups; audited. Resolving tells the customer and announces `ticket_resolved`.
    `by` None: the service desk itself (an automatic resolution)."""
    if not ticket.can_move_to(status):
        raise TicketStateError(
            _("A %(old)s request cannot become %(new)s.")
            % {"old": ticket.get_status_display().lower(), "new": Ticket.Status(status).label.lower()}
        )
    if (
        status == Ticket.Status.RESOLVED
        and by is not None
        and not ticket.root_cause
        and customer_selectors.customer_category_get(user=ticket.customer) == CustomerCategory.REPEAT_OFFENDER
    ):
        raise TicketStateError(
            _("This customer keeps going around processes: record the root cause before resolving.")
        )
    if status == Ticket.Status.RESOLVED and by is not None and by.pk != ticket.customer_id:
        handler_take(ticket, by, now=now)
    old_label = ticket.get_status_display()
    if status == Ticket.Status.PENDING:
        ticket.sla_paused_at = now
    elif status == Ticket.Status.OPEN:
        _sla_resume(ticket, now)
        ticket.resolved_at = None
        ticket.resolution = ""
    elif status == Ticket.Status.RESOLVED:
        ticket.resolved_at = now
        ticket.reopened_at = None
        ticket.sla_paused_at = ticket.sla_paused_at or now
        ticket.resolution = ticket.resolution or Ticket.Resolution.FIXED
    elif status == Ticket.Status.CLOSED:
        ticket.closed_at = now
    ticket.status = status
    event(
        ticket, by, TicketEvent.Kind.STATUS_CHANGED, old=old_label, new=ticket.get_status_display(), now=now
    )
    schedules_refresh(ticket, now=now)
    if status == Ticket.Status.RESOLVED:
        notify_requester_side(
            ticket,
            f"ticket-resolved:{ticket.pk}:{now.isoformat()}",
            resolved_template,
            now=now,
            reopen_days=settings.TICKET_REOPEN_DAYS,
        )
        ticket_resolved.send(sender=Ticket, ticket=ticket)


def schedules_refresh(ticket: Ticket, *, now: datetime) -> None:
    """The ticket's next follow-up and SLA alert, for where it now stands (one calendar read)."""
    calendar = selectors.working_calendar_get()
    schedules.followup_schedule(ticket, now=now, calendar=calendar)
    schedules.sla_alert_schedule(ticket, now=now, calendar=calendar)


def sla_due_times_set(ticket: Ticket) -> None:
    """Due times from submission: the priority's targets (for this customer) plus the time paused."""
    due = selectors.sla_expectation_get(
        priority=ticket.priority,
        category=customer_selectors.customer_category_get(user=ticket.customer),
        start=ticket.created_at,
        paused_minutes=ticket.sla_paused_minutes,
    )
    ticket.first_response_due_at = due.first_response_due_at
    ticket.resolution_due_at = due.resolution_due_at


def _sla_resume(ticket: Ticket, now: datetime) -> None:
    """Start the clock again, pushing the due times back by the working time it stood still."""
    if ticket.sla_paused_at is None:
        return
    paused = round(sla.business_minutes_between(selectors.working_calendar_get(), ticket.sla_paused_at, now))
    ticket.sla_paused_at = None
    if paused:
        ticket.sla_paused_minutes += paused
        sla_due_times_set(ticket)


def staff_url(ticket: Ticket) -> str:
    """The ticket as IT staff see it (the desk's page)."""
    return reverse("tickets:agent_detail", kwargs={"pk": ticket.pk})


def notify_about_ticket(
    recipient: User, key: str, template: str, *, now: datetime | None = None, **context
) -> None:
    """E-mail and an in-app notice (the bell) to one person, leading to the ticket as they see it.
    `context` holds the ticket; the key names the occasion, so telling them twice changes nothing."""
    ticket = context["ticket"]
    url = staff_url(ticket) if works_tickets(recipient) else ticket.get_absolute_url()
    notify(
        recipient=recipient,
        key=key,
        template=template,
        context=context,
        url=url,
        now=now,
        thread=thread_message_id("ticket", ticket.pk),
    )


def notify_customer(
    ticket: Ticket, key: str, template: str, *, now: datetime | None = None, **context
) -> None:
    notify_about_ticket(ticket.customer, key, template, now=now, ticket=ticket, **context)


def notify_requester_side(
    ticket: Ticket,
    key: str,
    template: str,
    *,
    now: datetime | None = None,
    author: User | None = None,
    **context,
) -> None:
    """The customer and everyone copied on the request, but the `author` of what they are told
    about. The customer's notice keeps the occasion's key; each copied person's adds their id."""
    if ticket.customer_id != getattr(author, "pk", None):
        notify_customer(ticket, key, template, now=now, **context)
    for cc in TicketCC.objects.filter(ticket=ticket).select_related("user"):
        if cc.user_id != getattr(author, "pk", None):
            notify_about_ticket(cc.user, f"{key}:{cc.user_id}", template, now=now, ticket=ticket, **context)


def notify_reply(ticket: Ticket, message: TicketMessage, *, now: datetime) -> None:
    """A public reply, to everyone on the customer's side who did not write it."""
    key = f"ticket-replied:{message.pk}"
    notify_requester_side(ticket, key, "tickets/replied", now=now, author=message.author, message=message)
