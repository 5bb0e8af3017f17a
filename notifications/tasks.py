"""Thin tasks: each loads fresh state through a service; running one twice changes nothing.

Bound to the project's app rather than @shared_task: a shared task is a proxy that looks up the
*current* app when called, and the current app is thread-local state that a worker can change.
"""

from django.conf import settings
from django.db import InterfaceError, OperationalError

from servicedesk.celery import app

from . import services


@app.task(
    soft_time_limit=settings.OUTBOX_DELIVERY_SOFT_TIME_LIMIT,
    time_limit=settings.OUTBOX_DELIVERY_TIME_LIMIT,
    # The database restarting or unreachable: try again soon rather than leave the e-mails to the
    # relay. Backoff 1, 2, 4 ... 30 s with jitter; the claims run out and the relay takes over if
    # the database stays away longer than the retries (or the worker dies meanwhile).
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=30,
    max_retries=60,
)
def outbound_email_deliver_task(message_ids: list[int]) -> int:
    # Failures wait in their rows (next_attempt_at) and the relay publishes them when due.
    return services.outbound_emails_deliver(message_ids=message_ids)


@app.task
def outbound_email_relay_task() -> int:
    return services.outbound_email_relay()
