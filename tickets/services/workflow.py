"""A request's life: submitted, answered, assigned, moved through its statuses, escalated, reopened.
Each change locks the ticket, records a TicketEvent and queues its e-mails, in one transaction."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User
from accounts.roles import works_tickets
from customers import selectors as customer_selectors
from notifications.services import notify_managers

from ..exceptions import TicketClaimedError, TicketStateError
from ..models import PRIORITY_MATRIX, Service, Team, Ticket, TicketEvent, TicketMessage
from ..signals import ticket_message_added
from ._common import (
    attachments_add,
    event,
    lock,
    message_add,
    move,
    notify_about_ticket,
    notify_customer,
    notify_reply,
    save,
    schedules_refresh,
    search_document_refresh,
    sla_due_times_set,
    staff_url,
)


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
    channel: str = Ticket.Channel.PORTAL,
    by: User | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Open a request with its SLA due times; audited; e-mails the customer what to expect.
    `by`: the agent who logged it for the customer (a call, a visit), else the customer."""
    now = now or timezone.now()
    ticket = Ticket(
        channel=channel,
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
    sla_due_times_set(ticket)
    schedules_refresh(ticket, now=now)
    ticket.save()
    attachments_add(ticket, None, by or customer, attachments, now=now)
    # The history names the way in when it was not the portal (a call, a visit, an e-mail).
    came_by = "" if channel == Ticket.Channel.PORTAL else ticket.get_channel_display()
    event(ticket, by or customer, TicketEvent.Kind.CREATED, new=came_by, now=now)
    search_document_refresh(ticket.pk)
    notify_customer(ticket, f"ticket-created:{ticket.pk}", "tickets/created", now=now)
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

    The customer's side is the customer and the people copied on the request; everyone else who
    may reply is IT. An agent's first public reply meets the first-response target and opens a
    new ticket; a reply from the customer's side to a ticket waiting on them starts its SLA clock
    again, and tells the assignee and the rest of the customer's side.
    """
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    from_customer = author.pk == ticket.customer_id
    from_it = not from_customer and works_tickets(author)
    from_cc = not (from_customer or from_it) and ticket.ccs.filter(user=author).exists()
    if not (from_customer or from_cc or from_it):
        raise TicketStateError(_("Only the person who asked, the people copied, or IT can reply here."))
    requester_side = from_customer or from_cc
    if requester_side and internal:
        raise TicketStateError(_("Customers cannot add internal notes."))
    if ticket.status == Ticket.Status.CLOSED:
        raise TicketStateError(_("This request is closed. Please submit a new one."))
    if requester_side and ticket.status == Ticket.Status.RESOLVED:
        raise TicketStateError(_("This request is resolved. Reopen it if the problem is back."))

    message = message_add(ticket, author, body, internal=internal, from_cc=from_cc, now=now)
    ticket_message_added.send(sender=TicketMessage, message=message, from_it=from_it)
    attachments_add(ticket, message, author, attachments, now=now)
    event(ticket, author, TicketEvent.Kind.NOTE_ADDED if internal else TicketEvent.Kind.REPLIED, now=now)
    if internal:
        ticket.save(update_fields=["updated_at"])
        return message

    if requester_side:
        if ticket.status == Ticket.Status.PENDING:
            move(ticket, author, Ticket.Status.OPEN, now=now)
        if ticket.assignee_id:
            notify_about_ticket(
                ticket.assignee,
                f"ticket-customer-replied:{message.pk}",
                "tickets/customer_replied",
                now=now,
                ticket=ticket,
                message=message,
            )
    elif ticket.status == Ticket.Status.NEW:
        move(ticket, author, Ticket.Status.OPEN, now=now)
    notify_reply(ticket, message, now=now)
    save(ticket)
    return message


@transaction.atomic
def ticket_status_change(*, ticket: Ticket, by: User, status: str, now: datetime | None = None) -> Ticket:
    """Move the ticket through the workflow, keeping the SLA clock right; audited.

    Resolving e-mails the customer and announces `ticket_resolved`.
    """
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    move(ticket, by, status, now=now)
    save(ticket)
    return ticket


@transaction.atomic
def ticket_reply_and_move(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    status: str,
    attachments: list[UploadedFile] = (),
    now: datetime | None = None,
) -> TicketMessage:
    """A public reply and a move ("Send and resolve", "Send and set pending") as one change: if
    the move is refused, the reply is not sent either."""
    message = ticket_reply(ticket=ticket, author=author, body=body, attachments=attachments, now=now)
    ticket_status_change(ticket=ticket, by=author, status=status, now=now)
    return message


def ticket_event_record(
    *, ticket: Ticket, by: User, kind: str, new: str = "", note: str = "", now: datetime | None = None
) -> TicketEvent:
    """Record in the ticket's history something another app did about it (the knowledge app's
    documentation flags), with who did it; announced as every event is (ticket_event_recorded)."""
    return event(ticket, by, kind, new=new, note=note, now=now or timezone.now())


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, by: User, reason: str, now: datetime | None = None) -> Ticket:
    """The customer reopens a resolved request within the reopen window, saying why; audited."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    if by.pk != ticket.customer_id and not works_tickets(by):
        raise TicketStateError(_("Only the person who asked can reopen this request."))
    if ticket.status != Ticket.Status.RESOLVED:
        raise TicketStateError(_("Only a resolved request can be reopened."))
    if now > ticket.reopen_until:
        raise TicketStateError(
            _("This request was resolved more than %(days)s days ago. Please submit a new one.")
            % {"days": settings.TICKET_REOPEN_DAYS}
        )
    move(ticket, by, Ticket.Status.OPEN, now=now)
    ticket.reopened_at = now
    save(ticket)
    message = message_add(ticket, by, reason, now=now)
    event(ticket, by, TicketEvent.Kind.REPLIED, now=now)
    # Whoever has it hears; when nobody does, every agent (teams have no members to ask).
    recipients = [ticket.assignee] if ticket.assignee_id else list(account_selectors.agents_list())
    for recipient in recipients:
        notify_about_ticket(
            recipient,
            f"ticket-reopened:{message.pk}:{recipient.pk}",
            "tickets/reopened",
            ticket=ticket,
            message=message,
        )
    return ticket


def ticket_resolve_for_want_of_answer(*, ticket: Ticket, now: datetime) -> Ticket:
    """The customer never answered (the pending follow-ups ran out): resolve, saying how to
    reopen. Called by the follow-up step with the ticket locked; audited as the desk's doing."""
    ticket.resolution = Ticket.Resolution.NO_ANSWER
    move(ticket, None, Ticket.Status.RESOLVED, now=now, resolved_template="tickets/resolved_no_answer")
    save(ticket)
    return ticket


@transaction.atomic
def ticket_team_change(*, ticket: Ticket, by: User, team: Team | None, now: datetime | None = None) -> Ticket:
    """Route the ticket to another team (or none); audited."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    if ticket.team_id != (team.pk if team else None):
        old = str(ticket.team or "")
        ticket.team = team
        event(ticket, by, TicketEvent.Kind.TEAM_CHANGED, old=old, new=str(team or ""), now=now)
        save(ticket)
    return ticket


@transaction.atomic
def ticket_priority_change(*, ticket: Ticket, by: User, priority: str, now: datetime | None = None) -> Ticket:
    """Re-prioritise; the SLA due times follow the new priority's targets. Audited."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    if ticket.priority != priority:
        old = ticket.get_priority_display()
        ticket.priority = priority
        sla_due_times_set(ticket)
        schedules_refresh(ticket, now=now)
        event(
            ticket, by, TicketEvent.Kind.PRIORITY_CHANGED, old=old, new=ticket.get_priority_display(), now=now
        )
        save(ticket)
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
    ticket = lock(ticket.pk)
    if not ticket.is_unresolved:
        raise TicketStateError(_("Only an open request can be escalated."))
    ticket.escalated_at = now
    target = _("to the customer's manager, through IT's manager") if to_customers_manager else ""
    escalation = event(ticket, by, TicketEvent.Kind.ESCALATED, new=target, note=reason, now=now)
    save(ticket)
    notify_managers(
        key=f"ticket-escalated:{escalation.pk}",
        template="tickets/escalated",
        context={
            "ticket": ticket,
            "by": by,
            "reason": reason,
            "customers_manager": (
                customer_selectors.customer_manager_get(user=ticket.customer)
                if to_customers_manager
                else None
            ),
            "to_customers_manager": to_customers_manager,
        },
        url=staff_url(ticket),
        now=now,
    )
    return ticket


@transaction.atomic
def ticket_claim(*, ticket: Ticket, agent: User, now: datetime | None = None) -> Ticket:
    """Take an unassigned ticket. When two agents claim at once exactly one wins; audited."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    if ticket.assignee_id == agent.pk:
        return ticket
    if not ticket.is_unresolved:
        raise TicketStateError(
            _("This request is %(status)s: there is nothing left to take.")
            % {"status": ticket.get_status_display().lower()}
        )
    if ticket.assignee_id is not None:
        raise TicketClaimedError(_("%(name)s has already taken this ticket.") % {"name": ticket.assignee})
    _assign(ticket, agent, agent, now=now)
    save(ticket)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, by: User, assignee: User | None, now: datetime | None = None) -> Ticket:
    """Give the ticket to an agent (or nobody); audited; e-mails the new assignee."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    if ticket.assignee_id != (assignee.pk if assignee else None):
        _assign(ticket, assignee, by, now=now)
        save(ticket)
    return ticket


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


def _assign(ticket: Ticket, assignee: User | None, by: User, *, now: datetime) -> None:
    old = str(ticket.assignee) if ticket.assignee_id else ""
    ticket.assignee = assignee
    assigned = event(ticket, by, TicketEvent.Kind.ASSIGNED, old=old, new=str(assignee or ""), now=now)
    if assignee is not None and assignee != by:
        notify_about_ticket(
            assignee, f"ticket-assigned:{assigned.pk}", "tickets/assigned", now=now, ticket=ticket, by=by
        )
