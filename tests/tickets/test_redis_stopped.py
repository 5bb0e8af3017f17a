"""Redis stopped while customers submit requests through the web: every request is saved and
answered in its normal time, and every e-mail goes out, once, after Redis is back.

Runs its own redis-server (so it can really be stopped) and a real worker process on it.
"""

import shutil
import signal
import socket
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import publisher
from notifications.models import OutboundEmail
from notifications.services import outbound_email_relay
from servicedesk.celery import app as celery_app
from tickets.models import Ticket

from ..accounts.factories import CustomerFactory
from ..conftest import celery_configure
from ..waiting import wait_until
from ..workers import mail_recipients, needs_worker_process, worker_process
from .factories import ServiceFactory

QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-redis-stopped"
REQUESTS = 6


class RedisServer:
    """A redis-server of this test's own on a free port, to stop and start again."""

    def __init__(self, workdir: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_until(lambda: _answers(client), timeout=10, message="redis-server to start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)


def _answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


@pytest.fixture
def own_redis(tmp_path) -> RedisServer:
    server = RedisServer(tmp_path)
    server.start()
    real = celery_app.conf.broker_url, celery_app.conf.task_default_queue
    celery_configure(broker_url=server.url, task_default_queue=QUEUE)
    celery_app.close()
    yield server
    celery_configure(broker_url=real[0], task_default_queue=real[1])
    celery_app.close()
    if server.process.poll() is None:
        server.stop()


@needs_worker_process
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to start and stop")
def test_requests_submitted_while_redis_is_stopped_are_saved_and_mailed_once_it_is_back(
    transactional_db, own_redis, tmp_path
):
    service = ServiceFactory()
    own_redis.stop()

    slowest = 0.0
    for n in range(REQUESTS):
        client = Client()
        client.force_login(CustomerFactory(email=f"customer{n}@example.com"))
        started = time.monotonic()
        response = client.post(
            reverse("tickets:submit"),
            {"service": service.pk, "title": f"Laptop {n} will not start", "description": "Black screen",
             "urgency": "high", "impact": "low"},
        )  # fmt: skip
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code == 302
    publisher.drain(timeout=30)

    assert slowest < 1.0
    assert Ticket.objects.count() == REQUESTS
    assert OutboundEmail.objects.count() == REQUESTS  # "we have your request", one each
    assert not OutboundEmail.objects.filter(enqueued_at__isnull=False).exists()  # none reached Redis

    own_redis.start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = worker_process(queue=QUEUE, mail_dir=mail_dir, redis_url=own_redis.url)
    try:
        later = timezone.now() + timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS + 1)
        assert outbound_email_relay(now=later) == REQUESTS
        assert outbound_email_relay(now=later) == 0  # a second run of the relay sends nothing more
        wait_until(
            lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == REQUESTS,
            timeout=60,
            message="every e-mail once Redis is back",
        )
        time.sleep(1)  # anything sent twice would land now
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    delivered = mail_recipients(mail_dir)
    assert delivered == {f"customer{n}@example.com": 1 for n in range(REQUESTS)}
