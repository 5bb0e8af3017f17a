"""Everything the outbox does: queue an e-mail, deliver it once, relay the stragglers, retry."""

import hashlib
import logging
import random
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import selectors as account_selectors

from . import publisher
from .models import Notification, OutboundEmail

logger = logging.getLogger(__name__)


def email_queue(*, key: str, to: str, template: str, context: dict) -> OutboundEmail:
    """Write an e-mail to the outbox and deliver it after commit; a known key changes nothing.

    Renders templates/emails/<template>_subject.txt, _body.txt and (if present) _body.html now,
    so the message says what was true when it was caused. Templates also get `site_name` and
    `site_url` (links are `{{ site_url }}{{ path }}`).
    """
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    # One line, so no text in it can add a header.
    subject = " ".join(_render(f"emails/{template}_subject.txt", context).split())
    body_text = _render(f"emails/{template}_body.txt", context)
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
        },
    )
    if created:
        publisher.email_publish_after_commit(message.pk)
    return message


def notify(
    *, recipient, key: str, template: str, context: dict, url: str, now: datetime | None = None
) -> None:
    """Tell one person about something: an e-mail (if they have an address) and an in-app notice,
    both under the occasion's key, so telling them twice changes nothing. The notice's text is the
    e-mail's subject line."""
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
            key=key, to=recipient.email, template=template, context={"recipient": recipient, **context}
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


def outbound_emails_deliver(*, message_ids: list[int]) -> dict[int, float]:
    """Send each of these e-mails once, over one connection to the mail server; returns the ones
    that failed and are to be tried again, with the seconds to wait.

    Each e-mail is its own transaction, so a worker stopped halfway loses none of what it sent.
    """
    retries = {}
    mail_connection = get_connection()
    try:
        for message_id in message_ids:
            retry_in = outbound_email_deliver(message_id=message_id, mail_connection=mail_connection)
            if retry_in is not None:
                retries[message_id] = retry_in
    finally:
        _close_quietly(mail_connection)
    return retries


def outbound_email_deliver(
    *, message_id: int, mail_connection: BaseEmailBackend | None = None
) -> float | None:
    """Send a pending e-mail once; on failure count the attempt and return seconds until retry.

    Returns None when there is nothing more to do: sent, already sent, gone, or now a dead letter.
    The row lock makes a duplicate delivery of the same task wait, then find the e-mail sent.
    """
    with transaction.atomic():
        message = OutboundEmail.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboundEmail.Status.PENDING:
            return None
        message.attempts += 1
        # Written before the send, so that once the mail server has the e-mail only the commit is
        # left: a worker killed in that instant is the one way an e-mail goes out twice, and the
        # copy carries the same Message-ID, which mail clients show once.
        message.status = OutboundEmail.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["status", "sent_at", "attempts"])
        try:
            _send(message, mail_connection)
        except Exception as exc:  # any failure of the mail server counts as an attempt
            if mail_connection is not None:
                _close_quietly(mail_connection)  # the next e-mail starts on a fresh connection
            message.status, message.sent_at = OutboundEmail.Status.PENDING, None
            return _record_failure(message, exc)
    return None


def outbound_email_relay(*, now: datetime | None = None) -> int:
    """Hand the broker every pending e-mail that never reached it or was lost; returns how many.

    Rows locked by another relay are skipped, so overlapping runs never publish a row twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            OutboundEmail.objects.due_for_relay(now)
            .order_by("created_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: settings.OUTBOX_RELAY_BATCH_SIZE]
        )
        # The broker down: the ids not published wait for the next run.
        published = publisher.emails_publish_now(list(due))
        OutboundEmail.objects.filter(pk__in=published).update(enqueued_at=now)
    return len(published)


@transaction.atomic
def outbound_email_retry(*, message: OutboundEmail) -> bool:
    """Give an unsent e-mail a fresh set of attempts and deliver it after commit."""
    message = OutboundEmail.objects.select_for_update().get(pk=message.pk)
    if message.status == OutboundEmail.Status.SENT:
        return False
    message.status = OutboundEmail.Status.PENDING
    message.attempts = 0
    message.dead_at = None
    message.enqueued_at = None
    message.save(update_fields=["status", "attempts", "dead_at", "enqueued_at"])
    publisher.email_publish_after_commit(message.pk)
    return True


def _render(template_name: str, context: dict) -> str:
    # NUL has no place in an e-mail, and Postgres cannot store it in text.
    return render_to_string(template_name, context).replace("\0", "")


def _send(message: OutboundEmail, mail_connection: BaseEmailBackend | None) -> None:
    if mail_connection is not None:
        # Opened by the first e-mail that needs it and kept open for the rest of the batch.
        mail_connection.open()
    email = EmailMultiAlternatives(
        connection=mail_connection,
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={
            "Message-ID": message_id_header(message),
            # Ask auto-responders not to answer a machine.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send()


def message_id_header(message: OutboundEmail) -> str:
    """The e-mail's Message-ID, the same on every attempt, so a copy sent again is known as one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
    return f"<outbox.{message.pk}.{digest}@{domain}>"


def _close_quietly(mail_connection: BaseEmailBackend) -> None:
    try:
        mail_connection.close()
    except Exception:  # a connection that already failed may fail again on the way out
        logger.debug("Closing the mail connection failed.", exc_info=True)


def _record_failure(message: OutboundEmail, exc: Exception) -> float | None:
    now = timezone.now()
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.status = OutboundEmail.Status.DEAD
        message.dead_at = now
        retry_in = None
        logger.error("E-mail %s is a dead letter after %s attempts: %s", message.pk, message.attempts, exc)
    else:
        retry_in = _backoff_seconds(message.attempts)
        message.enqueued_at = now  # the retry is a fresh publish; the relay leaves it alone
        logger.warning(
            "E-mail %s failed (attempt %s), retrying in %.0fs: %s",
            message.pk,
            message.attempts,
            retry_in,
            exc,
        )
    message.save(update_fields=["attempts", "last_error", "status", "sent_at", "dead_at", "enqueued_at"])
    return retry_in


def _backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter, so failed e-mails do not all retry in the same second."""
    ceiling = min(settings.OUTBOX_RETRY_MAX_SECONDS, settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)
