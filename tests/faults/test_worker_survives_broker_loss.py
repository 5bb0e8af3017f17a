"""A worker that loses its Redis broker while it holds unacknowledged tasks keeps running and
takes up work again once Redis is back. Celery 5.7.0's worker exited instead ("Unrecoverable
error: AttributeError ... 'hostname'", restoring the unacknowledged tasks on a connection it had
already closed), and sent nothing more until restarted: pyproject.toml keeps it out."""

import time

from django.utils import timezone
from kombu import Connection

from bench.faults.harness import App, RedisServer, Run, SmtpSink, wait_for
from notifications.models import OutboundEmail
from notifications.tasks import outbound_email_deliver_task

from ..workers import needs_worker_process

pytestmark = needs_worker_process


def _emails(count: int, tag: str) -> list[int]:
    rows = OutboundEmail.objects.bulk_create(
        OutboundEmail(
            idempotency_key=f"broker-loss:{tag}:{n}",
            to_address=f"{tag}{n}@example.com",
            subject="Hello",
            body_text="Hello",
            template="tests/greeting",
            enqueued_at=timezone.now(),
        )
        for n in range(count)
    )
    return [row.pk for row in rows]


def _publish(broker_url: str, ids: list[int]) -> None:
    with Connection(broker_url) as connection:
        for pk in ids:  # one task each
            outbound_email_deliver_task.apply_async(([pk],), connection=connection, queue="celery")


def test_a_worker_outlives_its_broker_going_away(transactional_db, database_server):
    from django.db import connection

    database = connection.settings_dict
    database_url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    with Run("broker-loss", limit_seconds=120) as run:
        broker = RedisServer(run)
        broker.start()
        sink = SmtpSink(delay=4)  # each e-mail takes 4 s: the tasks are running when Redis goes
        sink.set_mode("accept")
        run.on_exit(sink.close)
        app = App(run, database_url=database_url, redis_url=broker.url, smtp_port=sink.port)
        # Two tasks running and a slot free, so the worker is also waiting on Redis for more: how
        # an idle-ish worker holding unacknowledged tasks meets a Redis that goes away.
        worker = app.start_worker(concurrency=3)
        _publish(broker.url, _emails(2, "before"))
        time.sleep(2)

        broker.stop()
        time.sleep(4)
        assert "Unrecoverable error" not in worker.log_text(), worker.log_text()[-3000:]
        assert worker.alive()
        log_size = len(worker.log_text())
        broker.start()  # empty: what it held is gone, the outbox relay's business
        worker.wait_log(r"Connected to redis", timeout=30, after=log_size)
        _publish(broker.url, _emails(1, "after"))
        wait_for(
            lambda: any(message.to == "after0@example.com" for message in sink.snapshot()),
            timeout=30,
            what="an e-mail published after Redis came back",
        )
        assert worker.alive()
