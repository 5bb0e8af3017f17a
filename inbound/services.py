"""Everything that happens to an incoming e-mail: stored as received, then read once into a new
request, a reply on its ticket, or nothing (a machine sent it, or a stranger)."""

import hashlib
import imaplib
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from notifications import publisher
from notifications.services import email_queue, thread_pk
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.attachments import display_name
from tickets.exceptions import TicketStateError
from tickets.models import Impact, Ticket, Urgency

from . import imap, mailparse
from .models import InboundEmail

logger = logging.getLogger(__name__)


class InboundSetupError(Exception):
    """The desk is not set up to take this e-mail (the message is fine): failed, to be read again
    once someone has fixed the set-up, with this error saying what to fix."""


PROCESS_TASK = "inbound.tasks.inbound_process_task"
# The Postgres advisory lock (and, elsewhere, the cache key) that lets one IMAP poll run at a time.
IMAP_POLL_LOCK = int.from_bytes(hashlib.sha256(b"servicedesk:imap-poll").digest()[:8], "big", signed=True)
IMAP_POLL_CACHE_KEY = "inbound:imap-poll"


def inbound_store(*, raw: bytes, via: str, now: datetime | None = None) -> tuple[InboundEmail, bool]:
    """Keep the message exactly as received, once (by its Message-ID, or a digest of its bytes),
    and have it read after commit; returns the row and whether it is new."""
    with transaction.atomic():
        inbound, created = InboundEmail.objects.get_or_create(
            message_key=mailparse.message_key(raw),
            defaults={"raw": raw, "via": via, "received_at": now or timezone.now()},
        )
        if created:
            publisher.publish_after_commit(PROCESS_TASK, inbound.pk)
    return inbound, created


@dataclass
class ImapPoll:
    """What one poll of the IMAP mailbox did."""

    fetched: int = 0  # messages read from the mailbox
    new: int = 0  # of those, stored for the first time (the rest were stored by an earlier poll)
    marked: int = 0  # marked read, or moved to the done folder
    error: str = ""  # why the poll stopped early ("" when it did not)


def inbound_imap_poll() -> ImapPoll | None:
    """Store each message waiting in the IMAP mailbox (each in its own committed transaction), and
    only then mark it read or move it; one poll at a time. None when no mailbox is configured or
    another poll is running. A poll that dies between the two finds the message again next time,
    and storing it again changes nothing."""
    config = imap.ImapConfig.from_settings()
    if config is None:
        logger.debug("No IMAP mailbox configured (INBOUND_IMAP_HOST): nothing to poll.")
        return None
    if connection.in_atomic_block:
        raise RuntimeError("An IMAP poll marks a message after its row commits: run it outside a transaction")
    with _imap_poll_lock() as held:
        if not held:
            logger.info("An IMAP poll is already running; this one stands down.")
            return None
        return _imap_poll(config)


def _imap_poll(config: imap.ImapConfig) -> ImapPoll:
    poll = ImapPoll()
    deadline = time.monotonic() + settings.INBOUND_IMAP_POLL_SECONDS
    try:
        with imap.open_mailbox(config) as mailbox:
            waiting = mailbox.waiting()
            for start in range(0, len(waiting), config.batch):
                stored = []
                for uid, raw in _fetch(mailbox, waiting[start : start + config.batch]):
                    poll.fetched += 1
                    _, created = inbound_store(raw=raw, via=InboundEmail.Via.IMAP)  # committed on return
                    poll.new += created
                    stored.append(uid)
                mailbox.mark_done(stored)
                poll.marked += len(stored)
                if time.monotonic() >= deadline:
                    break  # the rest wait for the next poll, a minute away
    except imap.ImapAuthError as exc:
        poll.error = str(exc)
        logger.error("IMAP mailbox %s at %s: %s", config.user, config.host, exc)
    except (imap.ImapError, imaplib.IMAP4.error, OSError) as exc:
        poll.error = f"{type(exc).__name__}: {exc}"
        logger.warning("IMAP mailbox %s at %s could not be read: %s", config.user, config.host, poll.error)
    if poll.fetched or poll.error:
        logger.info(
            "IMAP poll: %s fetched, %s new, %s marked%s",
            poll.fetched, poll.new, poll.marked, f"; stopped: {poll.error}" if poll.error else "",
        )  # fmt: skip
    return poll


def _fetch(mailbox: imap.Mailbox, uids: list[int]) -> list[tuple[int, bytes]]:
    """The batch's messages; if the server refuses the batch, each one alone, so one message it
    cannot serve does not hold back the rest (it is tried again next poll)."""
    try:
        return mailbox.fetch(uids)
    except imap.ImapError as exc:
        if len(uids) == 1:
            logger.warning("IMAP message UID %s could not be fetched: %s", uids[0], exc)
            return []
        return [message for uid in uids for message in _fetch(mailbox, [uid])]


@contextmanager
def _imap_poll_lock() -> Iterator[bool]:
    """Whether this poll may run, held until it ends. On Postgres an advisory lock of this
    connection: let go at the end, or by the server when the process holding it dies. Elsewhere
    (SQLite, development) a cache entry that outlives a task's hard time limit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [IMAP_POLL_LOCK])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [IMAP_POLL_LOCK])
                except DatabaseError:  # the connection is gone, and the lock with it
                    logger.warning("Could not let go of the IMAP poll lock.", exc_info=True)
        return
    token = uuid.uuid4().hex
    held = cache.add(IMAP_POLL_CACHE_KEY, token, timeout=settings.CELERY_TASK_TIME_LIMIT + 30)
    try:
        yield held
    finally:
        if held and cache.get(IMAP_POLL_CACHE_KEY) == token:
            cache.delete(IMAP_POLL_CACHE_KEY)


def inbound_process(*, inbound_id: int, now: datetime | None = None) -> InboundEmail | None:
    """Read a stored message once: open a request, add a reply, or ignore or refuse it. A message
    that cannot be read is marked failed, with the error, for staff to see and retry; the
    database out of reach is raised, for the task to try again."""
    now = now or timezone.now()
    raw = None
    try:
        with transaction.atomic():
            inbound = InboundEmail.objects.select_for_update().filter(pk=inbound_id).first()
            if inbound is None or inbound.status != InboundEmail.Status.STORED:
                return inbound
            raw = bytes(inbound.raw)
            inbound.attempts += 1
            _read(inbound, now)
            inbound.error = ""
            inbound.processed_at = now
            inbound.save()
            return inbound
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        logger.exception("Incoming e-mail %s could not be read.", inbound_id)
        failed = {
            "status": InboundEmail.Status.FAILED,
            "error": f"{type(exc).__name__}: {exc}"[:2000],
            "processed_at": now,
            "attempts": F("attempts") + 1,  # the attempt rolled back with the rest
        }
        if raw is not None:
            # The reading rolled back: staff still see (and search) who sent it, about what.
            seen = mailparse.headers(raw)
            failed |= {"from_address": seen.from_address[:255], "subject": seen.subject[:255]}
        InboundEmail.objects.filter(pk=inbound_id, status=InboundEmail.Status.STORED).update(**failed)
        return InboundEmail.objects.filter(pk=inbound_id).first()


def inbound_retry(*, inbound: InboundEmail, by: User) -> bool:
    """Read a failed message again (after a fix), at `by`'s request: recorded in the admin log
    (the message's history) with the error it had, since reading it again clears that. Returns
    False if it had not failed (someone retried it first, or it never failed)."""
    with transaction.atomic():
        failed = (
            InboundEmail.objects.select_for_update()
            .filter(pk=inbound.pk, status=InboundEmail.Status.FAILED)
            .only("pk", "error", "subject", "from_address")
            .first()
        )
        if failed is None:
            return False
        InboundEmail.objects.filter(pk=failed.pk).update(status=InboundEmail.Status.STORED, error="")
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[failed],
            action_flag=CHANGE,
            change_message=f"Read again. It had failed with: {failed.error or '(no error recorded)'}",
            single_object=True,
        )
        publisher.publish_after_commit(PROCESS_TASK, failed.pk)
    return True


def inbound_sweep(*, now: datetime | None = None) -> int:
    """Read every message still waiting a minute after it came in (its task was lost)."""
    now = now or timezone.now()
    waiting = InboundEmail.objects.filter(
        status=InboundEmail.Status.STORED, received_at__lte=now - timedelta(minutes=1)
    ).values_list("pk", flat=True)[:500]
    ids = list(waiting)
    for inbound_id in ids:
        inbound_process(inbound_id=inbound_id, now=now)
    return len(ids)


def _read(inbound: InboundEmail, now: datetime) -> None:
    parsed = mailparse.parse(bytes(inbound.raw), own_addresses=_own_addresses())
    inbound.from_address = parsed.from_address[:255]
    inbound.subject = parsed.subject[:255]
    if parsed.automatic:
        inbound.status, inbound.reason = InboundEmail.Status.IGNORED, parsed.automatic[:255]
        return
    if _over_the_sender_limit(inbound, now):
        inbound.status = InboundEmail.Status.IGNORED
        inbound.reason = _("More than %(count)s e-mails from this address in an hour.") % {
            "count": settings.INBOUND_SENDER_LIMIT_PER_HOUR
        }
        return
    sender = account_selectors.user_for_email(address=parsed.from_address)
    ticket = _ticket_replied_to(parsed)
    role = Role.of(sender) if sender is not None else None
    staff = role in {Role.AGENT, Role.MANAGER}
    if sender is not None and ticket is not None and (staff or _on_the_customers_side(ticket, sender)):
        _reply(inbound, ticket, sender, parsed, now)
        return
    if staff and parsed.forwarded_from:
        # Someone at IT forwarding a customer's e-mail: the request is the customer's.
        name, address = parsed.forwarded_from
        customer = _customer_for(address, name)
        if customer is not None:
            inbound.ticket = _open(customer, parsed, now, description=parsed.full_text)
            inbound.status = InboundEmail.Status.TICKET
            inbound.reason = _("Forwarded by %(name)s.") % {"name": sender.display_name}
            return
    if sender is None:
        sender = _account_for_stranger(parsed.from_address, parsed.from_name)
        role = Role.CUSTOMER if sender is not None else None
    if role == Role.CUSTOMER:
        inbound.ticket = _open(sender, parsed, now)
        _copy_the_cc(inbound.ticket, parsed, now)
        inbound.status = InboundEmail.Status.TICKET
        return
    inbound.status = InboundEmail.Status.REFUSED
    inbound.reason = (
        _("Staff e-mail that names no request.") if staff else _("No customer account has this address.")
    )
    if not staff:
        _tell_a_stranger(inbound, parsed, now)


def _on_the_customers_side(ticket: Ticket, sender) -> bool:
    return sender.pk == ticket.customer_id or ticket.ccs.filter(user=sender).exists()


def _copy_the_cc(ticket: Ticket, parsed: mailparse.ParsedMail, now: datetime) -> None:
    """Copy the people on the e-mail's Cc on the request it opened. One who cannot be (no account,
    and strangers get none; or too many) is named in the ticket's history, never dropped unseen."""
    if parsed.cc_unreadable:
        ticket_services.ticket_cc_not_added(
            ticket=ticket,
            address=parsed.cc_unreadable[:200],
            reason=_("The e-mail's Cc could not be read in full: see the message as received, on Mail."),
            now=now,
        )
    ours = _own_addresses() | {ticket.customer.email.lower()}
    for address in dict.fromkeys(parsed.cc):  # in order, each once
        if address in ours:
            continue
        person = _customer_for(address, "")
        if person is None:
            reason = _("No account has this address.")
        else:
            try:
                ticket_services.ticket_cc_add(ticket=ticket, user=person, by=None, now=now)
                continue
            except TicketStateError as exc:
                reason = str(exc)
        ticket_services.ticket_cc_not_added(ticket=ticket, address=address[:200], reason=reason, now=now)


def _reply(
    inbound: InboundEmail, ticket: Ticket, sender, parsed: mailparse.ParsedMail, now: datetime
) -> None:
    """Only the ticket's customer, the people copied on it or someone at IT add to a ticket by
    e-mail (the caller checks); anyone else who names it opens a request of their own and learns
    nothing of this one. A copied person cannot reopen it: their e-mail to a resolved request
    opens one of their own."""
    inbound.ticket = ticket
    inbound.status = InboundEmail.Status.REPLY
    body, files = _body_and_files(parsed)
    try:
        ticket_services.ticket_reply(ticket=ticket, author=sender, body=body, attachments=files, now=now)
    except TicketStateError:
        if ticket.status == Ticket.Status.RESOLVED and sender.pk == ticket.customer_id:
            try:
                ticket_services.ticket_reopen(ticket=ticket, by=sender, reason=body, now=now)
                return
            except TicketStateError:
                pass  # past the reopen window
        # Closed, or too late to reopen: the customer's e-mail starts a new request.
        inbound.ticket = _open(ticket.customer if sender.pk == ticket.customer_id else sender, parsed, now)
        inbound.status = InboundEmail.Status.TICKET


def _customer_for(address: str, name: str):
    """The account with this address, else what _account_for_stranger makes of it."""
    user = account_selectors.user_for_email(address=address)
    return user if user is not None else _account_for_stranger(address, name)


def _account_for_stranger(address: str, name: str):
    """With INBOUND_UNKNOWN_SENDERS "create", a new customer account for an address nobody has
    (no usable password: they set one by resetting it); else None."""
    if settings.INBOUND_UNKNOWN_SENDERS != "create" or not address:
        return None
    first, _sep, last = name.partition(" ")
    return account_services.user_create(
        username=address[:150],
        email=address,
        role=Role.CUSTOMER,
        first_name=first[:150],
        last_name=last[:150],
        password=None,
    )


def _over_the_sender_limit(inbound: InboundEmail, now: datetime) -> bool:
    read = InboundEmail.objects.filter(
        from_address=inbound.from_address,
        status__in=[InboundEmail.Status.TICKET, InboundEmail.Status.REPLY],
        processed_at__gte=now - timedelta(hours=1),
    )
    return read.count() >= settings.INBOUND_SENDER_LIMIT_PER_HOUR


def _open(customer, parsed: mailparse.ParsedMail, now: datetime, *, description: str = "") -> Ticket:
    service = ticket_selectors.service_for_email()
    if service is None:
        raise InboundSetupError(
            _(
                "No active catalog entry to open e-mailed requests on: make one active "
                "(or set INBOUND_SERVICE_SLUG), then read it again."
            )
        )
    body, files = _body_and_files(parsed, text=description or parsed.text)
    return ticket_services.ticket_create(
        customer=customer,
        title=(parsed.subject or _("(no subject)"))[:200],
        description=body,
        service=service,
        urgency=Urgency.MEDIUM,
        impact=Impact.LOW,
        attachments=files,
        channel=Ticket.Channel.EMAIL,
        now=now,
    )


def _ticket_replied_to(parsed: mailparse.ParsedMail) -> Ticket | None:
    """The ticket a reply names: by our Message-ID in its In-Reply-To or References (mail clients
    keep those whatever the subject becomes), else by the reference in its subject ([SD-123])."""
    pk = thread_pk("ticket", parsed.in_reply_to + parsed.references) or parsed.reference_pk
    return Ticket.objects.filter(pk=pk).select_related("customer").first() if pk else None


def _body_and_files(
    parsed: mailparse.ParsedMail, *, text: str | None = None
) -> tuple[str, list[SimpleUploadedFile]]:
    """The text as written (`text`, else what the sender wrote above the quotes), and the
    attachments we may keep; a file we may not keep is named in the text with the reason, never
    dropped without a word."""
    kept, refused = [], []
    for name, content_type, content in parsed.attachments:
        name = display_name(name)
        extension = PurePosixPath(name).suffix.lower().lstrip(".")
        if extension not in settings.ATTACHMENT_EXTENSIONS:
            refused.append(_("%(name)s (files of this type cannot be attached)") % {"name": name})
        elif len(content) > settings.ATTACHMENT_MAX_BYTES:
            refused.append(
                _("%(name)s (larger than %(size)s)")
                % {"name": name, "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
            )
        elif len(kept) >= settings.ATTACHMENT_MAX_FILES:
            refused.append(_("%(name)s (more than %(count)s files)") % {"name": name, "count": len(kept)})
        else:
            kept.append(SimpleUploadedFile(name, content, content_type=content_type))
    text = parsed.text if text is None else text
    body = text or (_("(The e-mail had no text.)") if kept else _("(The e-mail was empty.)"))
    if refused:
        body += "\n\n" + _("Not kept from the e-mail: %(files)s.") % {"files": "; ".join(refused)}
    return body, kept


def _tell_a_stranger(inbound: InboundEmail, parsed: mailparse.ParsedMail, now: datetime) -> None:
    """A polite answer saying how to get access, at most once a day to an address, so two
    auto-responders cannot keep each other busy through us."""
    recent = InboundEmail.objects.filter(
        from_address=inbound.from_address,
        status=InboundEmail.Status.REFUSED,
        processed_at__gte=now - timedelta(days=1),
    ).exclude(pk=inbound.pk)
    if recent.exists():
        return
    email_queue(
        key=f"inbound-refused:{inbound.pk}",
        to=parsed.from_address,
        template="inbound/refused",
        context={"subject": parsed.subject},
        in_reply_to=parsed.message_id if not parsed.message_id.startswith("sha256:") else "",
    )


def _own_addresses() -> set[str]:
    return {
        parseaddr(address)[1].lower()
        for address in (
            settings.DEFAULT_FROM_EMAIL,
            settings.SERVER_EMAIL,
            settings.INBOUND_ADDRESS,
            *settings.INBOUND_OWN_ADDRESSES,
        )
        if address
    }
