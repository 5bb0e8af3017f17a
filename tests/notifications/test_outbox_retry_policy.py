"""How the outbox treats failures: an e-mail the mail server refuses is retried with backoff and
ends a dead letter; a mail server that cannot be reached costs no e-mail an attempt, and every
e-mail waits for the next probe; a task stopped halfway hands back what it has not sent."""

import signal
import smtplib
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.services import (
    MAIL_SERVER_CACHE_KEY,
    MailServerUnavailable,
    outbound_email_deliver,
    outbound_email_relay,
    outbound_emails_deliver,
)

from .factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


def _bob(**fields) -> OutboundEmail:
    return OutboundEmailFactory(to_address="bob@example.com", **fields)


def test_each_refused_attempt_waits_about_twice_as_long(mail_server_refuses_bob, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 4
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    message = _bob()

    waits = [outbound_email_deliver(message_id=message.pk) for _ in range(3)]

    assert 15 <= waits[0] <= 30
    assert 30 <= waits[1] <= 60
    assert 60 <= waits[2] <= 120
    message.refresh_from_db()
    assert message.attempts == 3
    assert message.status == OutboundEmail.Status.PENDING
    assert "SMTPRecipientsRefused" in message.last_error
    # The relay publishes the retry when it is due, not before.
    assert message.enqueued_at is None
    assert timezone.now() + timedelta(seconds=59) <= message.next_attempt_at
    assert not OutboundEmail.objects.due_for_relay(timezone.now()).exists()
    assert OutboundEmail.objects.due_for_relay(message.next_attempt_at).get() == message


def test_backoff_never_exceeds_the_cap(mail_server_refuses_bob, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 50
    message = _bob(attempts=30)

    wait = outbound_email_deliver(message_id=message.pk)

    assert wait <= settings.OUTBOX_RETRY_MAX_SECONDS


def test_last_attempt_makes_a_dead_letter_and_stops(mail_server_refuses_bob, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = _bob(attempts=1)

    assert outbound_email_deliver(message_id=message.pk) is None

    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.DEAD
    assert outbound_email_deliver(message_id=message.pk) is None
    message.refresh_from_db()
    assert message.attempts == 2


def test_sent_or_missing_messages_are_left_alone(mailoutbox):
    message = OutboundEmailFactory()

    assert outbound_email_deliver(message_id=message.pk) is True
    assert outbound_email_deliver(message_id=message.pk) is None
    assert outbound_email_deliver(message_id=999_999) is None

    assert len(mailoutbox) == 1


def test_a_mail_server_that_cannot_be_reached_costs_no_attempt(mail_server_down, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = OutboundEmailFactory(attempts=1)

    for _ in range(3):
        with pytest.raises(MailServerUnavailable):
            outbound_email_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundEmail.Status.PENDING, 1)
    assert message.last_error.startswith("Mail server unavailable: ConnectionRefusedError")


def test_a_batch_meeting_a_mail_server_that_is_down_waits_for_the_next_probe(mail_server_down, settings):
    messages = OutboundEmailFactory.create_batch(3)
    ids = [m.pk for m in messages]
    before = timezone.now()

    assert outbound_emails_deliver(message_ids=ids) == 0

    rows = OutboundEmail.objects.filter(pk__in=ids)
    assert {(r.status, r.attempts, r.enqueued_at, r.claimed_until) for r in rows} == {
        (OutboundEmail.Status.PENDING, 0, None, None)
    }
    probe = {r.next_attempt_at for r in rows}
    assert len(probe) == 1
    assert before + timedelta(seconds=14) <= probe.pop() <= timezone.now() + timedelta(seconds=15)

    # A second task meanwhile (one already in the queue) does not knock: it hands its e-mails on.
    other = OutboundEmailFactory()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound_emails_deliver(message_ids=[other.pk]) == 0
    assert mail.outbox == []

    # The probe after the wait finds the server back: everything goes, and the server is trusted again.
    later = timezone.now() + timedelta(seconds=16)
    assert outbound_email_relay(now=later) == 4
    assert outbound_emails_deliver(message_ids=[*ids, other.pk], now=later) == 4
    assert len(mail.outbox) == 4
    assert cache.get(MAIL_SERVER_CACHE_KEY) is None


def test_the_wait_for_a_mail_server_doubles_to_its_cap(mail_server_down, settings):
    settings.OUTBOX_SERVER_RETRY_MAX_SECONDS = 60
    message = OutboundEmailFactory()
    waits, probe_at = [], timezone.now()
    for _ in range(4):
        outbound_emails_deliver(message_ids=[message.pk], now=probe_at)
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - timezone.now()).total_seconds()))
        probe_at = message.next_attempt_at

    assert waits == [15, 30, 60, 60]


class _StopsAfter:
    """A mail backend that delivers `count` e-mails and then is stopped by `signal` mid-send."""

    def __init__(self, count: int, stop: BaseException):
        self.count, self.stop = count, stop

    def __call__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        test = self

        class Backend(EmailBackend):
            def send_messages(self, messages):
                if len(mail.outbox) >= test.count:
                    raise test.stop
                return super().send_messages(messages)

        return Backend(*args, **kwargs)


@pytest.mark.parametrize(
    "stop",
    [SoftTimeLimitExceeded(), SystemExit(-241)],  # the soft time limit; SIGTERM in a pool process
    ids=["soft-time-limit", "sigterm"],
)
def test_a_task_stopped_halfway_hands_back_what_it_has_not_sent(monkeypatch, stop):
    import notifications.services as services

    messages = OutboundEmailFactory.create_batch(5, enqueued_at=timezone.now())
    monkeypatch.setattr(services, "get_connection", _StopsAfter(2, stop))

    with pytest.raises(type(stop)):
        outbound_emails_deliver(message_ids=[m.pk for m in messages])

    rows = {r.pk: r for r in OutboundEmail.objects.all()}
    assert [rows[m.pk].status for m in messages] == ["sent", "sent", "pending", "pending", "pending"]
    for message in messages[2:]:
        row = rows[message.pk]
        assert row.attempts == 0  # being stopped is not the e-mail's failure
        assert row.claimed_until is None and row.enqueued_at is None
    # The relay publishes them at once, not after a grace or a requeue timeout.
    assert set(OutboundEmail.objects.due_for_relay(timezone.now()).values_list("pk", flat=True)) == {
        m.pk for m in messages[2:]
    }


def test_a_claim_that_runs_out_belongs_to_a_dead_task_and_is_relayed(settings):
    assert settings.OUTBOX_CLAIM_SECONDS > settings.OUTBOX_DELIVERY_TIME_LIMIT
    now = timezone.now()
    held = OutboundEmailFactory(enqueued_at=now, claimed_until=now + timedelta(seconds=45))

    assert not OutboundEmail.objects.due_for_relay(now + timedelta(seconds=44)).exists()
    assert OutboundEmail.objects.due_for_relay(now + timedelta(seconds=46)).get() == held


@pytest.mark.parametrize(
    "error, server_fault",
    [
        (ConnectionRefusedError(), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), True),
        (smtplib.SMTPDataError(421, b"service not available"), True),
        (smtplib.SMTPDataError(554, b"message refused"), False),
        (smtplib.SMTPSenderRefused(553, b"sender refused", "desk@example.com"), False),
        (smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")}), False),
        (UnicodeEncodeError("ascii", "é", 0, 1, "no"), False),
    ],
)
def test_what_counts_as_the_mail_server_being_down(error, server_fault):
    from notifications.services import _is_mail_server_fault

    assert _is_mail_server_fault(error) is server_fault


@pytest.mark.parametrize(
    ("number", "stop"),
    [(signal.SIGTERM, SystemExit(-241)), (signal.SIGUSR1, SoftTimeLimitExceeded())],
    ids=["sigterm", "soft-time-limit"],
)
def test_a_stop_signal_waits_until_the_email_the_server_accepted_is_committed(db, settings, number, stop):
    """SIGTERM or the soft time limit arriving after the mail server accepted an e-mail: the row is
    committed as sent first, then the task stops and hands back the rest. Acted on at once, the
    signal rolled the row back and the e-mail went again."""

    def stopping(_number, _frame):
        raise stop

    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.SignalledAsItAccepts"
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr("tests.notifications.mail_backends.SignalledAsItAccepts.signal_number", number)
    previous = signal.signal(number, stopping)  # a pool process's handler: billiard's, or the soft limit's
    messages = OutboundEmailFactory.create_batch(4, enqueued_at=timezone.now())
    try:
        with pytest.raises(type(stop)):
            outbound_emails_deliver(message_ids=[m.pk for m in messages])
    finally:
        signal.signal(number, previous)
        monkeypatch.undo()

    rows = {r.pk: r for r in OutboundEmail.objects.all()}
    assert [rows[m.pk].status for m in messages] == ["sent", "sent", "pending", "pending"]
    assert len(mail.outbox) == 2  # the second e-mail is sent once, and kept as sent
    assert all(rows[m.pk].claimed_until is None and rows[m.pk].enqueued_at is None for m in messages[2:])
    assert signal.getsignal(number) is previous
