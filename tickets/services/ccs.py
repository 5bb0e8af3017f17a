"""People copied on a request: the customer's colleagues, from the Cc of the e-mail that opened it
or added in the portal or by IT. They hear what the customer hears of IT's public replies and may
reply; everything else (internal notes, the category, the survey, reopening) stays the customer's."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import works_tickets

from ..exceptions import TicketStateError
from ..models import Ticket, TicketCC, TicketEvent
from ._common import event, lock, notify_about_ticket


@transaction.atomic
def ticket_cc_add(*, ticket: Ticket, user: User, by: User | None, now: datetime | None = None) -> TicketCC:
    """Copy someone on the request; audited, and they are told by e-mail. `by`: the customer or
    someone at IT; None for the desk itself (the Cc of the e-mail that opened it)."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    if by is not None and by.pk != ticket.customer_id and not works_tickets(by):
        raise TicketStateError(_("Only the person who asked, or IT, can copy someone on this request."))
    if ticket.status == Ticket.Status.CLOSED:
        raise TicketStateError(_("This request is closed: nobody more can be copied on it."))
    if not user.is_active:
        raise TicketStateError(_("%(name)s's account is not active.") % {"name": user.display_name})
    if user.pk == ticket.customer_id:
        raise TicketStateError(
            _("%(name)s asked for this request and hears about it already.") % {"name": user.display_name}
        )
    copied = TicketCC.objects.filter(ticket=ticket)
    if copied.filter(user=user).exists():
        raise TicketStateError(_("%(name)s is copied already.") % {"name": user.display_name})
    if copied.count() >= settings.TICKET_CC_MAX:
        raise TicketStateError(
            _("A request can have at most %(count)s people copied.") % {"count": settings.TICKET_CC_MAX}
        )
    cc = TicketCC.objects.create(ticket=ticket, user=user, added_by=by, created_at=now)
    event(ticket, by, TicketEvent.Kind.CC_ADDED, new=_person(user), now=now)
    notify_about_ticket(
        user, f"ticket-cc-added:{cc.pk}", "tickets/cc_added", now=now, ticket=ticket, added_by=by
    )
    return cc


@transaction.atomic
def ticket_cc_remove(*, ticket: Ticket, user: User, by: User, now: datetime | None = None) -> None:
    """Stop copying someone: by the customer, by IT, or by the person themselves; audited."""
    now = now or timezone.now()
    ticket = lock(ticket.pk)
    if by.pk not in (ticket.customer_id, user.pk) and not works_tickets(by):
        raise TicketStateError(_("Only the person who asked, or IT, can change who is copied."))
    deleted, _rows = TicketCC.objects.filter(ticket=ticket, user=user).delete()
    if not deleted:
        raise TicketStateError(_("%(name)s is not copied on this request.") % {"name": user.display_name})
    event(ticket, by, TicketEvent.Kind.CC_REMOVED, old=_person(user), now=now)


def ticket_cc_not_added(*, ticket: Ticket, address: str, reason: str, now: datetime | None = None) -> None:
    """Record that an address on the e-mail's Cc could not be copied (and why), so IT sees it
    rather than it vanishing; call inside the transaction that opened the request."""
    event(ticket, None, TicketEvent.Kind.CC_NOT_ADDED, new=address, note=reason, now=now or timezone.now())


def _person(user: User) -> str:
    return f"{user.display_name} <{user.email}>" if user.email else user.display_name
