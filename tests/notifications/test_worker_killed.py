"""A worker killed with SIGKILL in the middle of a batch: after a restart every e-mail is sent, once
(bar the one the kill may catch between the mail server and the commit, resent under its Message-ID).

Runs a real `celery worker` process against the test database on Postgres and the real Redis.
"""

import signal
import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.services import outbound_email_relay
from notifications.tasks import outbound_email_deliver_task
from servicedesk.celery import app as celery_app

from ..conftest import celery_configure
from ..waiting import wait_until
from ..workers import mail_written, needs_worker_process, worker_process

QUEUE = "servicedesk-test-killed"
MESSAGES = 1000


def _sent() -> int:
    return OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()


def _settled() -> bool:
    """True once the sent count has stopped moving for a second (the queue is drained)."""
    before = _sent()
    time.sleep(1)
    return _sent() == before


@needs_worker_process
def test_every_email_is_sent_exactly_once_after_a_worker_is_killed(transactional_db, tmp_path):
    rows = OutboundEmail.objects.bulk_create(
        OutboundEmail(
            idempotency_key=f"killed:{n}",
            to_address=f"person{n}@example.com",
            subject=f"Message {n}",
            body_text="Hello",
            template="tests/greeting",
            enqueued_at=timezone.now(),
        )
        for n in range(MESSAGES)
    )
    ids, size = [row.pk for row in rows], settings.OUTBOX_DELIVERY_CHUNK
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
        producer = conn.Producer()
        for chunk in (ids[start : start + size] for start in range(0, len(ids), size)):
            outbound_email_deliver_task.apply_async((chunk,), queue=QUEUE, producer=producer)

    worker = worker_process(queue=QUEUE, mail_dir=tmp_path)
    try:
        wait_until(lambda: _sent() >= MESSAGES // 3, timeout=60, message="a third of the batch")
        worker.send_signal(signal.SIGKILL)  # mid-batch: no chance to acknowledge or clean up
        worker.wait(timeout=30)
        assert _sent() < MESSAGES

        worker = worker_process(queue=QUEUE, mail_dir=tmp_path)
        wait_until(lambda: _settled(), timeout=90, message="the restarted worker to finish the queue")
        # Messages the dead worker held stay unacknowledged in Redis until the visibility
        # timeout; the outbox relay re-publishes rows still pending long after their publish.
        real_queue = celery_app.conf.task_default_queue
        celery_configure(task_default_queue=QUEUE)
        try:
            later = timezone.now() + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS + 1)
            outbound_email_relay(now=later)
        finally:
            celery_configure(task_default_queue=real_queue)
        wait_until(lambda: _sent() == MESSAGES, timeout=60, message="every e-mail after the restart")
        time.sleep(1)  # anything still in flight would land now
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    written = mail_written(tmp_path)
    message_ids = {
        address: {message_id for to, message_id in written if to == address} for address, _ in written
    }
    assert len(message_ids) == MESSAGES
    assert all(len(ids) == 1 for ids in message_ids.values())  # copies carry the same Message-ID
    # The mail server accepting an e-mail and the outbox row committing as sent are two events;
    # a SIGKILL between them hands the one e-mail in flight over again. One worker process, one
    # kill: at most one copy.
    assert len(written) - MESSAGES <= 1, Counter(to for to, _ in written).most_common(2)
