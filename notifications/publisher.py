"""Hands tasks to the broker without ever making a web request wait for it.

A publish can hang for seconds when Redis is unreachable, so the on-commit hook passes the work
to one background thread. E-mails committed close together travel together: the thread takes
every id waiting when it runs and publishes them OUTBOX_DELIVERY_CHUNK to a task, since the
per-task overhead of Celery, not the sending, is what limits a worker.

If the broker cannot be reached nothing is lost: an e-mail's row stays
un-enqueued and the periodic relay (services.outbound_email_relay) sends it once the broker is
back; other work published this way must likewise be found again by a periodic sweep.
"""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import nullcontext

from celery import Task
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from kombu import Connection

from servicedesk.celery import app as celery_app

from .models import OutboundEmail

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_in_flight: set[Future] = set()
_lock = threading.Lock()
# E-mail ids committed and not yet taken by the background thread; _drain_scheduled is true while
# a drain is queued on that thread (it will take every id added before it runs).
_waiting: list[int] = []
_drain_scheduled = False


def publish_after_commit(message_id: int) -> None:
    """Once the current transaction commits, queue delivery of this message in the background."""
    transaction.on_commit(lambda: _wait_for_publish(message_id))


def task_after_commit(task: Task, *args, countdown: float | None = None) -> None:
    """Once the current transaction commits, publish `task(*args)` in the background, best effort:
    the caller's periodic sweep does the work if the broker cannot be reached."""
    transaction.on_commit(lambda: _submit(_publish_task, task, args, countdown))


def broker_connection() -> Connection:
    """A fresh connection to the broker the settings name now (not a pooled one)."""
    return celery_app.connection_for_write()


def chunks(ids: list[int]) -> list[list[int]]:
    """The ids cut into the lists one delivery task takes."""
    size = settings.OUTBOX_DELIVERY_CHUNK
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def publish_now(message_ids: list[int], *, broker: Connection | None = None) -> bool:
    """Hand one delivery task for these e-mails to the broker; False (and a warning) when the
    broker is unreachable.

    Pass an open broker connection to publish several over one; otherwise one is opened.
    """
    from .tasks import outbound_email_deliver_task  # tasks import the services that import us

    try:
        with nullcontext(broker) if broker else broker_connection() as conn:
            outbound_email_deliver_task.apply_async((message_ids,), connection=conn)
    except Exception:
        logger.warning(
            "Broker unreachable; outbox relay will send e-mails %s later.", message_ids, exc_info=True
        )
        return False
    return True


def drain(timeout: float = 10) -> None:
    """Wait for background publishes still running (tests, and graceful shutdown)."""
    with _lock:
        futures = set(_in_flight)
    wait(futures, timeout=timeout)


def _wait_for_publish(message_id: int) -> None:
    global _drain_scheduled
    with _lock:
        _waiting.append(message_id)
        if _drain_scheduled:
            return
        _drain_scheduled = True
    _submit(_publish_waiting)


def _submit(function: Callable, *args) -> None:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-publisher")
        future = _executor.submit(function, *args)
        _in_flight.add(future)
    future.add_done_callback(_forget)


def _publish_task(task: Task, args: tuple, countdown: float | None) -> None:
    try:
        with broker_connection() as conn:
            task.apply_async(args, countdown=countdown, connection=conn)
    except Exception:
        logger.warning(
            "Broker unreachable; %s%r is left to its periodic sweep.", task.name, args, exc_info=True
        )


def _publish_waiting() -> None:
    global _drain_scheduled
    with _lock:
        message_ids = list(_waiting)
        _waiting.clear()
        _drain_scheduled = False
    try:
        published = []
        with broker_connection() as broker:
            for chunk in chunks(message_ids):
                if not publish_now(chunk, broker=broker):
                    break  # the broker is down: the relay sends the rest later
                published.extend(chunk)
        OutboundEmail.objects.filter(pk__in=published, enqueued_at__isnull=True).update(
            enqueued_at=timezone.now()
        )
    finally:
        # This thread outlives requests; never leave it holding a database connection.
        close_old_connections()
        connection.close()


def _forget(future: Future) -> None:
    with _lock:
        _in_flight.discard(future)
