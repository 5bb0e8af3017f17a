"""Thin tasks: each loads fresh state through a service; running one twice changes nothing.

Bound to the project's app rather than @shared_task: a shared task is a proxy that looks up the
*current* app when called, and the current app is thread-local state that a worker can change.
"""

from django.conf import settings

from servicedesk.celery import app

from . import services


# A database error retries the task (servicedesk.celery.DatabaseRetryingTask); if the database
# stays away longer, or the worker dies meanwhile, the claims run out and the relay takes over.
@app.task(
    soft_time_limit=settings.OUTBOX_DELIVERY_SOFT_TIME_LIMIT,
    time_limit=settings.OUTBOX_DELIVERY_TIME_LIMIT,
)
def outbound_email_deliver_task(message_ids: list[int]) -> int:
    # Failures wait in their rows (next_attempt_at) and the relay publishes them when due.
    return services.outbound_emails_deliver(message_ids=message_ids)


@app.task
def outbound_email_relay_task() -> int:
    return services.outbound_email_relay()
