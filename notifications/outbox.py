"""The outbox's machinery, for every table of messages that leave the building: e-mails
(OutboundEmail) and webhook deliveries (webhooks.WebhookDelivery).

A row is written in the transaction of the change that caused it; a Celery task delivers it after
commit; the periodic relay hands the broker every row that is due (never enqueued, handed back,
due for a retry, claimed by a task that died, or lost by the broker); a failed attempt waits for
its retry with exponential backoff and becomes a dead letter after the last. An outbox model has
the fields this module reads and writes: `status` (pending, sent, dead), `attempts`,
`last_error`, `created_at`, `enqueued_at`, `next_attempt_at`, `claimed_until`, `sent_at` and
`dead_at`; its manager is an OutboxQuerySet.
"""

import logging
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.db.models import Q

logger = logging.getLogger(__name__)

PENDING, SENT, DEAD = "pending", "sent", "dead"


class OutboxQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=PENDING)

    def due_for_relay(self, now: datetime):
        """Pending rows the relay is to hand the broker: never enqueued (the publish after commit
        failed), handed back or due for a retry; claimed by a task that has died; or enqueued long
        ago and never taken (the broker lost the message)."""
        grace = timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS)
        waiting = Q(enqueued_at__isnull=True) & (
            Q(next_attempt_at__isnull=True, created_at__lte=now - grace) | Q(next_attempt_at__lte=now)
        )
        claim_ran_out = Q(claimed_until__lt=now)
        lost = Q(
            claimed_until__isnull=True,
            enqueued_at__lte=now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS),
        )
        return self.pending().filter(waiting | claim_ran_out | lost)


def relay(model: type[models.Model], publish_now: Callable[[list[int]], list[int]], *, now: datetime) -> int:
    """Hand the broker every row of this outbox that is due (OutboxQuerySet.due_for_relay), through
    `publish_now` (which returns the ids that reached the broker); returns how many. Batch after
    batch, for at most OUTBOX_RELAY_SECONDS.

    Rows locked by another relay are skipped, so overlapping runs never publish a row twice.
    """
    deadline = time.monotonic() + settings.OUTBOX_RELAY_SECONDS
    relayed = 0
    while time.monotonic() < deadline:
        with transaction.atomic():
            due = list(
                model.objects.due_for_relay(now)
                .order_by("created_at")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[: settings.OUTBOX_RELAY_BATCH_SIZE]
            )
            # The broker down: the ids not published wait for the next run.
            published = publish_now(due) if due else []
            model.objects.filter(pk__in=published).update(enqueued_at=now, claimed_until=None)
        relayed += len(published)
        if len(due) < settings.OUTBOX_RELAY_BATCH_SIZE or len(published) < len(due):
            break
    return relayed


def claim(model: type[models.Model], ids: list[int], now: datetime) -> list[int]:
    """Mark these rows as this task's until OUTBOX_CLAIM_SECONDS from now; returns the ones that
    are pending and due, in the order given."""
    claimable = model.objects.pending().filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk__in=ids
    )
    claimed = set(claimable.values_list("pk", flat=True))
    model.objects.filter(pk__in=claimed).update(
        claimed_until=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    )
    return [pk for pk in ids if pk in claimed]


def hand_back(model: type[models.Model], ids: list[int], *, not_before: datetime) -> None:
    """Give these rows back to the relay, to publish from `not_before` on. Best effort: if the
    database cannot be written, their claim runs out and the relay takes them then."""
    try:
        model.objects.pending().filter(pk__in=ids).update(
            enqueued_at=None, claimed_until=None, next_attempt_at=not_before
        )
    except DatabaseError:
        logger.warning("%s %s not handed back; their claim will run out.", model.__name__, ids, exc_info=True)


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with jitter, so failures do not all retry in the same second."""
    ceiling = min(cap, base * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)


def failure_record(
    row: models.Model, error: str, *, now: datetime, max_attempts: int, base: float, cap: float
) -> float | None:
    """An attempt (already counted in row.attempts) failed: a dead letter after the last attempt
    (returns None), else the retry waits its backoff (returns its seconds), published by the relay
    when due. Sets the fields in memory; the caller saves them (FAILURE_FIELDS)."""
    row.last_error = error[:2000]
    row.claimed_until = None
    if row.attempts >= max_attempts:
        row.status = DEAD
        row.dead_at = now
        return None
    retry_in = backoff_seconds(row.attempts, base=base, cap=cap)
    row.next_attempt_at = now + timedelta(seconds=retry_in)
    row.enqueued_at = None
    return retry_in


def fresh_attempts() -> dict:
    """The fields that give an unsent row (a dead letter) a fresh set of attempts, due at once;
    the caller sets `enqueued_at` as it publishes."""
    return {
        "status": PENDING,
        "attempts": 0,
        "dead_at": None,
        "next_attempt_at": None,
        "claimed_until": None,
    }


FAILURE_FIELDS = [
    "attempts",
    "last_error",
    "status",
    "sent_at",
    "dead_at",
    "enqueued_at",
    "next_attempt_at",
    "claimed_until",
]

# What stops a delivery task from outside: SIGTERM (the worker shutting down: a deploy, `docker
# stop`) and the soft time limit (billiard's SIGUSR1).
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGUSR1)


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """Hold SIGTERM and the soft time limit while one message is sent and committed, and act on
    them just after. Acted on in the middle, they rolled the row back after the far end had
    accepted the message, which then went again (bench/faults/worker_kill: a copy per pool process
    at each SIGTERM). Only a process's main thread can hold signals (a pool process runs its tasks
    there); elsewhere nothing changes. SIGKILL cannot be held: that gap remains."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {
        number: signal.signal(number, lambda number, _frame: held.append(number)) for number in _STOP_SIGNALS
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(held):
            os.kill(os.getpid(), number)  # delivered again, to the handler it was meant for
