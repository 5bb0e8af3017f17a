"""The playbooks: point the customer to the official process (redirect, or teach it and keep the
request open), do an out-of-scope request anyway for a VIP, and record why the customer came to IT
instead of the process. Each change locks the ticket, records a TicketEvent and e-mails the customer."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..exceptions import TicketStateError
from ..models import Service, Ticket, TicketEvent, TicketMessage
from ..signals import ticket_redirected
from ._common import event, lock, message_add, move, notify_reply, save


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
    ticket = lock(ticket.pk)
    message = message_add(ticket, by, _guidance(to_service, note, resolved=True), now=now)
    event(ticket, by, TicketEvent.Kind.REDIRECTED, new=str(to_service), now=now)
    ticket.resolution = Ticket.Resolution.REDIRECTED
    ticket.root_cause = root_cause
    ticket.cited_process = to_service
    notify_reply(ticket, message, now=now)
    move(ticket, by, Ticket.Status.RESOLVED, now=now)
    save(ticket)
    ticket_redirected.send(sender=Ticket, ticket=ticket, now=now)
    return ticket


@transaction.atomic
def ticket_root_cause_record(
    *, ticket: Ticket, by: User, root_cause: str, now: datetime | None = None
) -> Ticket:
    """Record why the customer came to IT instead of the official process; audited."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    if ticket.root_cause != root_cause:
        old = ticket.get_root_cause_display() if ticket.root_cause else ""
        ticket.root_cause = root_cause
        event(ticket, by, TicketEvent.Kind.ROOT_CAUSE, old=old, new=ticket.get_root_cause_display(), now=now)
        save(ticket)
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
    ticket = lock(ticket.pk)
    if ticket.status == Ticket.Status.CLOSED:
        raise TicketStateError(_("This request is closed."))
    message = message_add(ticket, by, _guidance(to_service, note, resolved=False), now=now)
    event(ticket, by, TicketEvent.Kind.TAUGHT, new=str(to_service), now=now)
    if called_contact and to_service.contact_name:
        contact = f"{to_service.contact_name} {to_service.contact_phone}".strip()
        event(ticket, by, TicketEvent.Kind.CONTACT_CALLED, new=contact[:200], now=now)
    ticket.root_cause = Ticket.RootCause.DID_NOT_KNOW_PROCESS
    ticket.cited_process = to_service
    if ticket.status == Ticket.Status.NEW:
        move(ticket, by, Ticket.Status.OPEN, now=now)
    notify_reply(ticket, message, now=now)
    save(ticket)
    return message


@transaction.atomic
def ticket_fulfil_anyway(*, ticket: Ticket, by: User, note: str, now: datetime | None = None) -> Ticket:
    """Do an out-of-scope request now (the VIP playbook), saying what was done; recorded as such
    and resolved, with a public reply to the customer."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    message = message_add(ticket, by, note, now=now)
    event(ticket, by, TicketEvent.Kind.FULFILLED, now=now)
    ticket.resolution = Ticket.Resolution.FULFILLED_BY_IT
    notify_reply(ticket, message, now=now)
    move(ticket, by, Ticket.Status.RESOLVED, now=now)
    save(ticket)
    return ticket


def _guidance(service: Service, note: str, *, resolved: bool) -> str:
    """The official process as a reply: who does it, the steps, the form and whom to call (as links).
    A request it resolves can only be reopened, so it says so rather than "reply here"."""
    context = {"service": service, "note": note, "resolved": resolved}
    context["reopen_days"] = settings.TICKET_REOPEN_DAYS
    return render_to_string("tickets/redirect_guidance.md", context).strip()
