"""A worker killed with SIGKILL in the middle of a batch: after a restart every e-mail is sent once.

Runs a real `celery worker` process against the test database on Postgres and the real Redis.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.publisher import broker_connection
from notifications.services import outbound_email_relay
from notifications.tasks import outbound_email_deliver_task
from servicedesk.celery import app as celery_app

from ..waiting import wait_until

QUEUE = "servicedesk-test-killed"
MESSAGES = 300


def _worker(mail_dir: Path) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.local",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"filemail://{mail_dir}".replace("://", ":///"),  # environ drops one slash
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "servicedesk", "worker", "-Q", QUEUE, "-c", "1",
         "--pool", "prefork", "--loglevel", "WARNING", "-n", f"killed-{os.getpid()}@%h",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env=env,
        cwd=settings.BASE_DIR,
    )  # fmt: skip


def _sent() -> int:
    return OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()


def _settled() -> bool:
    """True once the sent count has stopped moving for a second (the queue is drained)."""
    before = _sent()
    time.sleep(1)
    return _sent() == before


@pytest.mark.skipif(
    not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a worker process needs the shared Postgres and Redis",
)
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
    with broker_connection() as conn:
        conn.default_channel.queue_purge(QUEUE)
        producer = conn.Producer()
        for row in rows:
            outbound_email_deliver_task.apply_async((row.pk,), queue=QUEUE, producer=producer)

    worker = _worker(tmp_path)
    try:
        wait_until(lambda: _sent() >= MESSAGES // 3, timeout=60, message="a third of the batch")
        worker.send_signal(signal.SIGKILL)  # mid-batch: no chance to acknowledge or clean up
        worker.wait(timeout=30)
        assert _sent() < MESSAGES

        worker = _worker(tmp_path)
        wait_until(lambda: _settled(), timeout=90, message="the restarted worker to finish the queue")
        # Messages the dead worker held stay unacknowledged in Redis until the visibility
        # timeout; the outbox relay re-publishes rows still pending long after their publish.
        real_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = QUEUE
        try:
            later = timezone.now() + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS + 1)
            outbound_email_relay(now=later)
        finally:
            celery_app.conf.task_default_queue = real_queue
        wait_until(lambda: _sent() == MESSAGES, timeout=60, message="every e-mail after the restart")
        time.sleep(1)  # anything still in flight would land now
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    delivered = Counter(
        line.split(":", 1)[1].strip()
        for mail_file in tmp_path.iterdir()
        for line in mail_file.read_text().splitlines()
        if line.startswith("To: ")
    )
    assert len(delivered) == MESSAGES
    assert set(delivered.values()) == {1}, [address for address, n in delivered.items() if n > 1]
