"""The outbox's promise, checked with a real worker on the real broker: nothing lost, nothing twice."""

import contextlib
import re
import socket
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications import publisher
from notifications.models import OutboundEmail
from notifications.services import (
    email_queue,
    message_id_header,
    outbound_email_relay,
    outbound_emails_deliver,
)
from notifications.tasks import outbound_email_deliver_task
from servicedesk.celery import app as celery_app

from ..conftest import BrokerOutage, celery_configure
from ..waiting import wait_until
from .factories import OutboundEmailFactory


def _queue(key: str = "greeting:1") -> OutboundEmail:
    with transaction.atomic():
        return email_queue(
            key=key, to="alice@example.com", template="tests/greeting", context={"name": "Alice"}
        )


def _sent(message: OutboundEmail) -> bool:
    message.refresh_from_db()
    return message.status == OutboundEmail.Status.SENT


def test_email_is_delivered_by_the_worker_exactly_once(celery_worker):
    message = _queue()

    wait_until(lambda: _sent(message), message="the e-mail to be sent")
    publisher.drain()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert mail.outbox[0].subject == "Hello Alice"
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
    # Stable across attempts, so a copy sent again is recognisably the same e-mail.
    assert mail.outbox[0].extra_headers["Message-ID"] == message_id_header(message)
    assert re.fullmatch(
        rf"<outbox\.{message.pk}\.[0-9a-f]{{16}}@localhost>", mail.outbox[0].message()["Message-ID"]
    )
    assert message.attempts == 1
    assert message.enqueued_at is not None


def test_a_task_delivered_twice_sends_one_email(celery_worker):
    message = _queue()
    outbound_email_deliver_task.delay([message.pk])
    outbound_email_deliver_task.delay([message.pk])

    wait_until(lambda: _sent(message), message="the e-mail to be sent")
    time.sleep(1)  # give the duplicate deliveries time to run (and find nothing to do)

    assert len(mail.outbox) == 1
    assert message.attempts == 1


def test_email_written_while_the_broker_is_down_is_relayed_once_it_is_back(celery_worker, broker_down):
    message = _queue()
    publisher.drain()
    message.refresh_from_db()

    assert message.enqueued_at is None  # the publish failed; the row waits for the relay

    broker_down.end()
    later = timezone.now() + timedelta(minutes=2)
    assert outbound_email_relay(now=later) == 1
    wait_until(lambda: _sent(message), message="the relayed e-mail to be sent")

    assert outbound_email_relay(now=later) == 0
    time.sleep(0.5)
    assert len(mail.outbox) == 1


def test_relay_leaves_fresh_rows_to_their_own_publish_and_resends_lost_ones(transactional_db, broker_down):
    now = timezone.now()
    fresh = OutboundEmail.objects.create(
        idempotency_key="fresh", to_address="a@example.com", subject="s", body_text="b"
    )
    in_flight = OutboundEmail.objects.create(
        idempotency_key="in-flight", to_address="a@example.com", subject="s", body_text="b", enqueued_at=now
    )
    lost = OutboundEmail.objects.create(
        idempotency_key="lost",
        to_address="a@example.com",
        subject="s",
        body_text="b",
        enqueued_at=now - timedelta(hours=1),
    )

    def due(at) -> set[int]:
        return set(OutboundEmail.objects.due_for_relay(at).values_list("pk", flat=True))

    assert due(now) == {lost.pk}
    assert due(now + timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS + 1)) == {fresh.pk, lost.pk}
    # A task waiting in the broker is left alone until it has had time to be taken.
    assert in_flight.pk not in due(now + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS - 1))
    assert in_flight.pk in due(now + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS))


def test_relay_publishes_nothing_and_loses_nothing_while_the_broker_is_down(transactional_db, broker_down):
    message = OutboundEmail.objects.create(
        idempotency_key="k", to_address="a@example.com", subject="s", body_text="b"
    )

    assert outbound_email_relay(now=timezone.now() + timedelta(minutes=2)) == 0

    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.PENDING
    assert message.enqueued_at is None


class HangingBroker:
    """A TCP port that accepts connections and never answers: a broker that makes publishing hang."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.outage = BrokerOutage(f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0")

    def release(self) -> None:
        """Close the port: the hung publish fails now, and the background thread moves on."""
        self.listener.close()
        publisher.drain(timeout=30)
        self.outage.end()


@pytest.fixture
def hanging_broker():
    broker = HangingBroker()
    yield broker
    if broker.listener.fileno() != -1:  # the test stopped before releasing it
        broker.release()


def test_a_web_request_never_waits_on_a_hanging_broker(client, transactional_db, hanging_broker):
    from ..accounts.factories import CustomerFactory

    customer = CustomerFactory()

    started = time.monotonic()
    response = client.post(reverse("accounts:password_reset"), {"email": customer.email})
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 1.0
    hanging_broker.release()
    assert OutboundEmail.objects.get().enqueued_at is None


def test_a_publish_that_does_not_finish_makes_drain_fail_loudly(transactional_db, hanging_broker):
    _queue()  # committed: its publish hangs on the broker

    with pytest.raises(TimeoutError, match="still running"):
        publisher.drain(timeout=0.5)

    hanging_broker.release()


def test_an_email_the_mail_server_refuses_is_retried_by_the_relay_then_dead_letters(
    celery_worker, mail_server_refuses_bob, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 0  # due at once; the backoff itself is tested elsewhere
    with transaction.atomic():
        message = email_queue(key="bob", to="bob@example.com", template="tests/greeting", context={})

    def relayed_until_dead() -> bool:
        message.refresh_from_db()
        if message.status == OutboundEmail.Status.PENDING and message.enqueued_at is None:
            outbound_email_relay()  # beat's job: publish the retry once it is due
        return message.status == OutboundEmail.Status.DEAD

    wait_until(relayed_until_dead, timeout=45, message="dead letter")  # three rounds through the worker

    assert message.attempts == 3
    assert "SMTPRecipientsRefused" in message.last_error
    assert message.dead_at is not None
    assert mail.outbox == []


def test_the_worker_retries_a_delivery_that_met_a_database_error(celery_worker, monkeypatch):
    """Postgres restarting under a task: the task is tried again with backoff, not dropped."""
    from django.db import OperationalError

    import notifications.services as services

    real_claim, failures = services._claim, []

    def claim_after_a_restart(message_ids, now):
        if not failures:
            failures.append(now)
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(message_ids, now)

    monkeypatch.setattr(services, "_claim", claim_after_a_restart)
    message = _queue()

    wait_until(lambda: _sent(message), timeout=15, message="the e-mail, on the task's retry")

    assert len(failures) == 1
    assert len(mail.outbox) == 1


def test_emails_committed_together_travel_a_chunk_to_a_task(transactional_db, settings):
    settings.OUTBOX_DELIVERY_CHUNK = 50
    queue = "test-outbox-chunks"  # no worker consumes it, so the published tasks can be read back
    real_queue = celery_app.conf.task_default_queue
    celery_configure(task_default_queue=queue)
    try:
        with transaction.atomic():
            messages = [_queue(key=f"chunk:{n}") for n in range(120)]
        publisher.drain()
        with celery_app.connection_for_write() as conn, conn.SimpleQueue(queue) as tasks:
            published = []
            with contextlib.suppress(tasks.Empty):
                while True:
                    task = tasks.get(timeout=0.5)
                    published.append(task.payload[0][0])  # protocol 2: (args, kwargs, embed)
                    task.ack()
    finally:
        celery_configure(task_default_queue=real_queue)

    # The background thread takes what has committed when it runs, so the cut depends on timing
    # (20+50+50, or 33+37+50 when it starts early); what holds is that no task carries more than a
    # chunk and a few tasks carry all 120.
    assert max(len(ids) for ids in published) <= 50
    assert len(published) <= 5
    assert sorted(pk for ids in published for pk in ids) == sorted(message.pk for message in messages)
    assert not OutboundEmail.objects.filter(enqueued_at__isnull=True).exists()


def test_an_email_refused_in_a_batch_leaves_the_others_sent_once(db, mail_server_refuses_bob):
    """The mail server refuses one recipient; that e-mail waits for its retry, the rest go."""
    messages = [
        email_queue(key=f"batch:{n}", to=to, template="tests/greeting", context={})
        for n, to in enumerate(["bob@example.com", "alice@example.com", "carol@example.com"])
    ]
    OutboundEmail.objects.filter(pk=messages[2].pk).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now()
    )

    sent = outbound_emails_deliver(message_ids=[m.pk for m in messages] + [999_999])

    assert sent == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    statuses = {m.pk: (m.status, m.attempts) for m in OutboundEmail.objects.all()}
    assert statuses == {
        messages[0].pk: (OutboundEmail.Status.PENDING, 1),
        messages[1].pk: (OutboundEmail.Status.SENT, 1),
        messages[2].pk: (OutboundEmail.Status.SENT, 0),
    }


def test_a_connection_refused_mid_batch_hands_the_rest_to_the_next_probe(db, settings):
    messages = [_queue(key=f"batch:{n}") for n in range(3)]
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.RefusesFirstConnection"

    assert outbound_emails_deliver(message_ids=[m.pk for m in messages]) == 0

    assert mail.outbox == []
    rows = OutboundEmail.objects.filter(pk__in=[m.pk for m in messages])
    assert {(r.status, r.attempts, r.enqueued_at) for r in rows} == {(OutboundEmail.Status.PENDING, 0, None)}
    assert all(r.next_attempt_at > timezone.now() for r in rows)


def test_an_email_handed_back_before_its_publish_is_recorded_stays_due(transactional_db, monkeypatch):
    """A worker can take an e-mail and hand it back (the mail server known to be down) before the
    background publisher records that it reached the broker. The record must not hide it from the
    relay: it did, and the e-mail waited until it counted as lost, 90 s on."""
    message = OutboundEmailFactory()
    until = timezone.now() + timedelta(seconds=30)

    def published_and_handed_back_at_once(message_ids: list[int]) -> list[int]:
        OutboundEmail.objects.filter(pk__in=message_ids).update(
            enqueued_at=None, claimed_until=None, next_attempt_at=until
        )
        return message_ids

    monkeypatch.setattr(publisher, "emails_publish_now", published_and_handed_back_at_once)
    with publisher._lock:
        publisher._waiting.append(message.pk)
    publisher._emails_waiting_publish()

    message.refresh_from_db()
    assert message.enqueued_at is None
    due = OutboundEmail.objects.due_for_relay(until + timedelta(seconds=1))
    assert list(due.values_list("pk", flat=True)) == [message.pk]
