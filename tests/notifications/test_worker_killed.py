"""A worker stopped in the middle of a batch, the two ways an operator meets: SIGKILL (the OOM killer,
a crashed host) and SIGTERM to its whole process group (systemd's default stop). After a restart
every e-mail is sent once (bar the one a kill may catch between the mail server and the commit,
resent under its Message-ID), and none waits for a half-hour requeue.

Runs real `celery worker` processes against the test database on Postgres and the real Redis.
"""

import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.services import outbound_email_relay
from notifications.tasks import outbound_email_deliver_task
from servicedesk.celery import app as celery_app

from ..conftest import celery_configure
from ..waiting import wait_until
from ..workers import mail_written, needs_worker_process, worker_process

QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-killed"
MESSAGES = 1000


def _sent() -> int:
    return OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()


def _settled() -> bool:
    """True once the sent count has stopped moving for a second (the queue is drained)."""
    before = _sent()
    time.sleep(1)
    return _sent() == before


def _relay_into_the_test_queue(now) -> int:
    real_queue = celery_app.conf.task_default_queue
    celery_configure(task_default_queue=QUEUE)
    try:
        return outbound_email_relay(now=now)
    finally:
        celery_configure(task_default_queue=real_queue)


@needs_worker_process
@pytest.mark.parametrize("stop", ["sigkill", "sigterm-to-the-group"])
def test_every_email_is_sent_once_after_a_worker_is_stopped_mid_batch(transactional_db, tmp_path, stop):
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
        stopped_at = timezone.now()
        if stop == "sigkill":
            os.killpg(worker.pid, signal.SIGKILL)  # main and pool process: no chance to clean up
        else:
            os.killpg(worker.pid, signal.SIGTERM)  # main and pool process, as systemd stops a service
        worker.wait(timeout=30)
        assert _sent() < MESSAGES
        pending = OutboundEmail.objects.pending()
        held = set(pending.filter(claimed_until__isnull=False).values_list("pk", flat=True))
        if stop == "sigterm-to-the-group":
            assert not held  # the task handed back what it had not sent

        worker = worker_process(queue=QUEUE, mail_dir=tmp_path)
        wait_until(lambda: _settled(), timeout=90, message="the restarted worker to finish the queue")
        # Left: what the stopped task had taken. Handed back after SIGTERM, the relay's next run
        # sends it; claimed by a killed task, it waits until the claim runs out (OUTBOX_CLAIM_SECONDS).
        _relay_into_the_test_queue(timezone.now())
        if stop == "sigkill":
            wait_until(lambda: _settled(), timeout=30, message="anything the relay sent")
            # A claim is honoured until it runs out; a task the dead worker had taken from Redis
            # but not started is re-sent once OUTBOX_REQUEUE_AFTER_SECONDS have passed.
            assert held <= set(pending.values_list("pk", flat=True))
            assert not pending.exclude(pk__in=held).filter(claimed_until__isnull=False).exists()
            after = max(settings.OUTBOX_CLAIM_SECONDS, settings.OUTBOX_REQUEUE_AFTER_SECONDS) + 1
            _relay_into_the_test_queue(stopped_at + timedelta(seconds=after))
        wait_until(lambda: _sent() == MESSAGES, timeout=60, message="every e-mail after the restart")
        time.sleep(1)  # anything still in flight would land now
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    written = mail_written(tmp_path)
    message_ids = {
        address: {message_id for to, message_id in written if to == address} for address, _ in written
    }
    assert len(message_ids) == MESSAGES
    assert all(len(ids) == 1 for ids in message_ids.values())  # copies carry the same Message-ID
    # The mail server accepting an e-mail and the outbox row committing as sent are two events;
    # a kill between them hands the one e-mail in flight over again. One pool process, one stop:
    # at most one copy.
    assert len(written) - MESSAGES <= 1, Counter(to for to, _ in written).most_common(2)
