"""Hands tasks to the broker without ever making a web request wait for it.

What other apps use, all by task name (so a service never imports the tasks that import it):

- `publish_after_commit(task_name, *args, countdown=None)`: once the current transaction commits,
  publish in a background thread, best effort. A publish can hang for seconds when Redis is
  unreachable; the request has long been answered by then. Work handed over this way must also
  be found by a periodic sweep, which does it if the broker could not be reached.
- `publish_now(task_name, args_list)`: publish several tasks over one connection, now (a periodic
  scan); returns how many reached the broker, so the caller can give the rest back.
- `drain()`: wait for the background thread (tests, graceful shutdown); fails loudly if it cannot.

The outbox's own path (`email_publish_after_commit`, `emails_publish_now`): e-mails committed close
together travel together, since the per-task overhead of Celery, not the sending, is what limits a
worker. The thread takes every e-mail id waiting when it runs and publishes OUTBOX_DELIVERY_CHUNK
to a task. If the broker cannot be reached nothing is lost: the row stays un-enqueued and the
periodic relay (services.outbound_email_relay) sends it once the broker is back.
"""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from celery import Task
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from kombu import Connection

from servicedesk.celery import app as celery_app

from .models import OutboundEmail

logger = logging.getLogger(__name__)

EMAIL_DELIVERY_TASK = "notifications.tasks.outbound_email_deliver_task"

_executor: ThreadPoolExecutor | None = None
_in_flight: set[Future] = set()
_lock = threading.Lock()
# E-mail ids committed and not yet taken by the background thread; _drain_scheduled is true while
# a drain is queued on that thread (it will take every id added before it runs).
_waiting: list[int] = []
_drain_scheduled = False


def publish_after_commit(task_name: str, *args, countdown: float | None = None) -> None:
    """Once the current transaction commits, publish `task_name(*args)` in the background, best
    effort: the caller's periodic sweep does the work if the broker cannot be reached."""
    task = _task(task_name)  # an unknown name fails here, in the caller, not in the thread
    transaction.on_commit(lambda: _submit(_publish_task, task, args, countdown))


def publish_now(task_name: str, args_list: list[tuple]) -> int:
    """Publish one task per args tuple over one broker connection; returns how many reached the
    broker (those before the first failure, which is logged)."""
    task = _task(task_name)
    published = 0
    try:
        with _broker_connection() as conn:
            producer = conn.Producer()
            for args in args_list:
                task.apply_async(args, producer=producer)
                published += 1
    except Exception:
        logger.warning(
            "Broker unreachable; %s of %s %s tasks wait for their sweep.",
            len(args_list) - published,
            len(args_list),
            task_name,
            exc_info=True,
        )
    return published


def drain(timeout: float = 10) -> None:
    """Wait for background publishes still running; TimeoutError if they have not finished in
    `timeout` seconds (a publish left running would act after its caller has gone)."""
    with _lock:
        futures = set(_in_flight)
    _done, not_done = wait(futures, timeout=timeout)
    if not_done:
        raise TimeoutError(f"{len(not_done)} background publish(es) still running after {timeout} s")


def email_publish_after_commit(message_id: int) -> None:
    """The outbox: once the current transaction commits, queue delivery of this e-mail in the
    background, in a chunk with the others committed at about the same time."""
    transaction.on_commit(lambda: _email_waits(message_id))


def emails_publish_now(message_ids: list[int]) -> list[int]:
    """The outbox's relay: delivery tasks for these e-mails, OUTBOX_DELIVERY_CHUNK to a task;
    returns the ids that reached the broker."""
    chunks = _email_chunks(message_ids)
    published = publish_now(EMAIL_DELIVERY_TASK, [(chunk,) for chunk in chunks])
    return [message_id for chunk in chunks[:published] for message_id in chunk]


def _task(task_name: str) -> Task:
    if task_name not in celery_app.tasks:
        # Every app's tasks.py, found as a worker finds them when it starts (once per process).
        celery_app.loader.import_default_modules()
    return celery_app.tasks[task_name]


def _broker_connection() -> Connection:
    """A fresh connection to the broker the settings name now (not a pooled one)."""
    return celery_app.connection_for_write()


def _email_chunks(ids: list[int]) -> list[list[int]]:
    size = settings.OUTBOX_DELIVERY_CHUNK
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _email_waits(message_id: int) -> None:
    global _drain_scheduled
    with _lock:
        _waiting.append(message_id)
        if _drain_scheduled:
            return
        _drain_scheduled = True
    _submit(_emails_waiting_publish)


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
        with _broker_connection() as conn:
            task.apply_async(args, countdown=countdown, connection=conn)
    except Exception:
        logger.warning(
            "Broker unreachable; %s%r is left to its periodic sweep.", task.name, args, exc_info=True
        )


def _emails_waiting_publish() -> None:
    global _drain_scheduled
    with _lock:
        message_ids = list(_waiting)
        _waiting.clear()
        _drain_scheduled = False
    try:
        # Marked before the publish, not after: a worker can take an e-mail and hand it back (the
        # mail server known to be down) before a mark made afterwards, which then hid the e-mail
        # from the relay until it counted as lost, 90 s on (bench/faults/smtp_outage). What the
        # broker did not take is unmarked again, for the relay.
        marked = timezone.now()
        OutboundEmail.objects.filter(pk__in=message_ids, enqueued_at__isnull=True).update(enqueued_at=marked)
        published = set(emails_publish_now(message_ids))
        unpublished = [message_id for message_id in message_ids if message_id not in published]
        if unpublished:
            OutboundEmail.objects.filter(pk__in=unpublished, enqueued_at=marked).update(enqueued_at=None)
    finally:
        # This thread outlives requests; never leave it holding a database connection.
        close_old_connections()
        connection.close()


def _forget(future: Future) -> None:
    with _lock:
        _in_flight.discard(future)
