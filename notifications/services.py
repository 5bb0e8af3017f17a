"""Everything the outbox does: queue an e-mail, deliver it once, relay the stragglers, retry."""

import hashlib
import logging
import re
import smtplib
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import selectors as account_selectors

from . import outbox, publisher
from .models import Notification, OutboundEmail

logger = logging.getLogger(__name__)


# The first line of an e-mail about a conversation when replies come back in (INBOUND_ADDRESS):
# what the reader writes above it is their reply, and the incoming side cuts there.
REPLY_ABOVE_LINE = "## Reply above this line ##"


def email_queue(
    *, key: str, to: str, template: str, context: dict, thread: str = "", in_reply_to: str = ""
) -> OutboundEmail:
    """Write an e-mail to the outbox and deliver it after commit; a known key changes nothing.

    Renders templates/emails/<template>_subject.txt, _body.txt and (if present) _body.html now,
    so the message says what was true when it was caused. Templates also get `site_name` and
    `site_url` (links are `{{ site_url }}{{ path }}`). `thread` (see thread_message_id) threads
    it with the other e-mails of a conversation, and lets a reply find its way back;
    `in_reply_to`, the Message-ID of an incoming e-mail, makes it an automatic answer to it.
    """
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    # One line, so no text in it can add a header.
    subject = " ".join(_render(f"emails/{template}_subject.txt", context).split())
    body_text = _render(f"emails/{template}_body.txt", context)
    if thread and settings.INBOUND_ADDRESS:
        body_text = f"{REPLY_ABOVE_LINE}\n\n{body_text}"
    try:
        body_html = _render(f"emails/{template}_body.html", context)
    except TemplateDoesNotExist:
        body_html = ""
    message, created = OutboundEmail.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "to_address": to,
            "subject": subject[:255],
            "body_text": body_text,
            "body_html": body_html,
            "template": template,
            "thread": thread[:255],
            "in_reply_to": in_reply_to[:255],
        },
    )
    if created:
        publisher.email_publish_after_commit(message.pk)
    return message


def notify(
    *,
    recipient,
    key: str,
    template: str,
    context: dict,
    url: str,
    now: datetime | None = None,
    thread: str = "",
) -> None:
    """Tell one person about something: an e-mail (if they have an address) and an in-app notice,
    both under the occasion's key, so telling them twice changes nothing. The notice's text is the
    e-mail's subject line; `thread` as for email_queue."""
    if not recipient.is_active:
        return
    notice_context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "recipient": recipient,
        **context,
    }
    text = " ".join(_render(f"emails/{template}_subject.txt", notice_context).split())
    Notification.objects.get_or_create(
        key=key,
        defaults={
            "recipient": recipient,
            "text": text[:255],
            "url": url[:500],
            "created_at": now or timezone.now(),
        },
    )
    if recipient.email:
        email_queue(
            key=key,
            to=recipient.email,
            template=template,
            context={"recipient": recipient, **context},
            thread=thread,
        )


def notify_managers(*, key: str, template: str, context: dict, url: str, now: datetime | None = None) -> int:
    """Tell every active IT manager, as notify() does, each under the occasion's key followed by
    ":<their id>"; returns how many were told."""
    managers = list(account_selectors.managers_list())
    for manager in managers:
        notify(
            recipient=manager, key=f"{key}:{manager.pk}", template=template, context=context, url=url, now=now
        )
    return len(managers)


def notifications_mark_read(*, recipient, notification_ids: list[int], now: datetime | None = None) -> int:
    """Mark these notices of this person read (the ones they have just seen)."""
    return Notification.objects.filter(
        recipient=recipient, pk__in=notification_ids, read_at__isnull=True
    ).update(read_at=now or timezone.now())


def notifications_mark_all_read(*, recipient, now: datetime | None = None) -> int:
    """Mark every unread notice of this person read ("Mark all read"); returns how many."""
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def notifications_mark_done(*, occasions: list[str], now: datetime | None = None) -> int:
    """The action these occasions' notices asked for is done (whoever did it): mark them done, and
    read, since nothing is left to see. An occasion is a key as given to notify(), or to
    notify_managers(), whose notices carry the manager's id after it."""
    now = now or timezone.now()
    match = Q()
    for occasion in occasions:
        match |= Q(key=occasion) | Q(key__startswith=f"{occasion}:")
    return Notification.objects.filter(match, done_at__isnull=True).update(
        done_at=now, read_at=Coalesce("read_at", Value(now))
    )


class MailServerUnavailable(Exception):
    """The mail server could not be reached, stopped answering or hung up: no e-mail's fault."""


# Failures of the conversation with the mail server rather than of one e-mail. SMTPException is
# an OSError too, so the ones about an e-mail (recipient, sender or data refused) are told apart.
_SERVER_SMTP_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
)
_SERVICE_NOT_AVAILABLE = 421  # the server is closing the conversation, whatever the e-mail
# Ends a delivery task early: the soft time limit, and SIGTERM, which a worker's pool process turns
# into SystemExit (billiard's shutdown handler). What the task has not sent is handed back.
_STOPPED = (SoftTimeLimitExceeded, SystemExit, KeyboardInterrupt)


def outbound_emails_deliver(*, message_ids: list[int], now: datetime | None = None) -> int:
    """Send each of these e-mails once, over one connection to the mail server; returns how many
    were sent.

    Each e-mail is its own transaction, so a task stopped halfway loses none of what it sent. The
    task claims its e-mails first (see OUTBOX_CLAIM_SECONDS); when it is stopped (the soft time
    limit, SIGTERM) it hands back what it has not sent, for the relay to send at once, and when
    the mail server is unavailable it hands back the rest for the next probe of the server.
    """
    now = now or timezone.now()
    server = _mail_server_state()
    if server and server["until"] > now.timestamp():
        _hand_back(message_ids, not_before=_from_timestamp(server["until"]))
        return 0
    unsent = _claim(message_ids, now)
    sent = 0
    mail_connection = get_connection()
    try:
        while unsent:
            try:
                delivered = outbound_email_deliver(message_id=unsent[0], mail_connection=mail_connection)
            except MailServerUnavailable:
                _hand_back(unsent, not_before=_mail_server_failed(server))
                return sent
            sent += delivered is True
            unsent.pop(0)
    except _STOPPED:
        _hand_back(unsent, not_before=timezone.now())
        raise
    finally:
        _close_quietly(mail_connection)
    if server and sent:
        cache.delete(MAIL_SERVER_CACHE_KEY)  # it answers again
    return sent


def outbound_email_deliver(
    *, message_id: int, mail_connection: BaseEmailBackend | None = None
) -> bool | float | None:
    """Send a pending e-mail once. Returns True when sent; when the mail server refused it, the
    seconds until its retry (counting the attempt), or None once it is a dead letter; None when
    there was nothing to do (already sent, gone). Raises MailServerUnavailable, counting no
    attempt, when the mail server could not be reached or stopped answering.

    The row lock makes a duplicate delivery of the same e-mail wait, then find it sent. SIGTERM
    and the soft time limit wait until the e-mail in hand is committed (see _stop_signals_held).
    """
    with _stop_signals_held(), transaction.atomic():
        message = OutboundEmail.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboundEmail.Status.PENDING:
            return None
        message.attempts += 1
        # Written before the send, so that once the mail server has the e-mail only the commit is
        # left: a worker killed in that instant is the one way an e-mail goes out twice, and the
        # copy carries the same Message-ID, which mail clients show once.
        message.status = OutboundEmail.Status.SENT
        message.sent_at = timezone.now()
        message.claimed_until = None
        message.save(update_fields=["status", "sent_at", "attempts", "claimed_until"])
        try:
            _send(message, mail_connection)
        except _STOPPED:
            raise  # not a failure of the e-mail: the row rolls back to pending, its attempt uncounted
        except Exception as exc:
            if mail_connection is not None:
                _close_quietly(mail_connection)  # the next e-mail starts on a fresh connection
            message.status, message.sent_at = OutboundEmail.Status.PENDING, None
            if not _is_mail_server_fault(exc):
                return _record_failure(message, exc)
            message.attempts -= 1
            message.last_error = f"Mail server unavailable: {type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["status", "sent_at", "attempts", "last_error"])
            server_fault = exc
        else:
            return True
    raise MailServerUnavailable(str(server_fault)) from server_fault


def outbound_email_relay(*, now: datetime | None = None) -> int:
    """Hand the broker every pending e-mail that is due (see OutboxQuerySet.due_for_relay);
    returns how many (outbox.relay: batch after batch, skipping rows another relay holds)."""
    return outbox.relay(OutboundEmail, publisher.emails_publish_now, now=now or timezone.now())


@transaction.atomic
def outbound_email_retry(*, message: OutboundEmail) -> bool:
    """Give an unsent e-mail a fresh set of attempts and deliver it after commit."""
    message = OutboundEmail.objects.select_for_update().get(pk=message.pk)
    if message.status == OutboundEmail.Status.SENT:
        return False
    fresh = {**outbox.fresh_attempts(), "enqueued_at": None}
    for name, value in fresh.items():
        setattr(message, name, value)
    message.save(update_fields=list(fresh))
    publisher.email_publish_after_commit(message.pk)
    return True


def _render(template_name: str, context: dict) -> str:
    # NUL has no place in an e-mail, and Postgres cannot store it in text.
    return render_to_string(template_name, context).replace("\0", "")


def _send(message: OutboundEmail, mail_connection: BaseEmailBackend | None) -> None:
    if mail_connection is not None:
        # Opened by the first e-mail that needs it and kept open for the rest of the batch.
        mail_connection.open()
    headers = {
        "Message-ID": message_id_header(message),
        # Ask auto-responders not to answer a machine; an answer to a message says so (RFC 3834).
        "Auto-Submitted": "auto-replied" if message.in_reply_to else "auto-generated",
        "X-Auto-Response-Suppress": "All",
        # Marks mail we sent, should it ever come back in.
        "X-Servicedesk-Loop": _domain(),
    }
    if message.in_reply_to or message.thread:
        headers["In-Reply-To"] = message.in_reply_to or message.thread
        headers["References"] = " ".join(filter(None, [message.thread, message.in_reply_to]))
    email = EmailMultiAlternatives(
        connection=mail_connection,
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        reply_to=[settings.INBOUND_ADDRESS] if settings.INBOUND_ADDRESS else None,
        headers=headers,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send()


def message_id_header(message: OutboundEmail) -> str:
    """The e-mail's Message-ID, the same on every attempt, so a copy sent again is known as one."""
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
    return f"<outbox.{message.pk}.{digest}@{_domain()}>"


def thread_message_id(kind: str, pk: int) -> str:
    """The Message-ID naming a conversation (kind "ticket": a ticket's), the same in every e-mail
    about it. Signed, so a reply finds its conversation only through an e-mail we sent."""
    return f"<{kind}.{pk}.{_thread_digest(kind, pk)}@{_domain()}>"


def thread_pk(kind: str, message_ids: list[str]) -> int | None:
    """The conversation of this kind that these Message-IDs (a reply's In-Reply-To and
    References) name with a valid signature, or None."""
    for message_id in message_ids:
        match = re.fullmatch(rf"<{re.escape(kind)}\.(\d{{1,12}})\.([0-9a-f]{{16}})@[^<>\s]+>", message_id)
        if match and constant_time_compare(match.group(2), _thread_digest(kind, int(match.group(1)))):
            return int(match.group(1))
    return None


def _thread_digest(kind: str, pk: int) -> str:
    return salted_hmac("notifications.thread", f"{kind}.{pk}").hexdigest()[:16]


def _domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


_stop_signals_held = outbox.stop_signals_held


def _close_quietly(mail_connection: BaseEmailBackend) -> None:
    try:
        mail_connection.close()
    except Exception:  # a connection that already failed may fail again on the way out
        logger.debug("Closing the mail connection failed.", exc_info=True)


def _record_failure(message: OutboundEmail, exc: Exception) -> float | None:
    retry_in = outbox.failure_record(
        message,
        f"{type(exc).__name__}: {exc}",
        now=timezone.now(),
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
        base=settings.OUTBOX_RETRY_BASE_SECONDS,
        cap=settings.OUTBOX_RETRY_MAX_SECONDS,
    )
    if retry_in is None:
        logger.error("E-mail %s is a dead letter after %s attempts: %s", message.pk, message.attempts, exc)
    else:
        logger.warning(
            "E-mail %s failed (attempt %s), retrying in %.0fs: %s",
            message.pk,
            message.attempts,
            retry_in,
            exc,
        )
    message.save(update_fields=outbox.FAILURE_FIELDS)
    return retry_in


def _claim(message_ids: list[int], now: datetime) -> list[int]:
    """Mark these e-mails as this task's until OUTBOX_CLAIM_SECONDS from now; returns the ones
    that are pending and due, in the order given."""
    return outbox.claim(OutboundEmail, message_ids, now)


def _hand_back(message_ids: list[int], *, not_before: datetime) -> None:
    outbox.hand_back(OutboundEmail, message_ids, not_before=not_before)


MAIL_SERVER_CACHE_KEY = "outbox:mail-server-down"


def _mail_server_state() -> dict | None:
    """{"until": timestamp, "failures": n} while the mail server is known to be down. In the cache,
    shared by every worker; without the cache each task finds out for itself."""
    return cache.get(MAIL_SERVER_CACHE_KEY)


def _mail_server_failed(state: dict | None) -> datetime:
    """Record one more failure to reach the mail server; returns when to probe it next."""
    failures = (state or {}).get("failures", 0) + 1
    wait = min(settings.OUTBOX_SERVER_RETRY_MAX_SECONDS, 15 * 2 ** (failures - 1))
    until = timezone.now() + timedelta(seconds=wait)
    cache.set(MAIL_SERVER_CACHE_KEY, {"until": until.timestamp(), "failures": failures}, timeout=3600)
    logger.warning("The mail server is unavailable; e-mails wait %s s for the next try.", wait)
    return until


def _from_timestamp(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _is_mail_server_fault(exc: Exception) -> bool:
    if isinstance(exc, _SERVER_SMTP_ERRORS):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == _SERVICE_NOT_AVAILABLE
    if isinstance(exc, smtplib.SMTPException):
        return False  # a recipient, the sender or the data refused: this e-mail's failure
    return isinstance(exc, OSError)  # refused, reset, timed out, TLS failed
