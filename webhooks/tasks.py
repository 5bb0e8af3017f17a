"""Thin tasks: each loads fresh state through a service; running one twice changes nothing."""

from django.conf import settings

from servicedesk.celery import app

from . import services


@app.task(
    soft_time_limit=settings.OUTBOX_DELIVERY_SOFT_TIME_LIMIT,
    time_limit=settings.OUTBOX_DELIVERY_TIME_LIMIT,
)
def webhook_deliveries_deliver_task(delivery_ids: list[int]) -> int:
    # Failures wait in their rows (next_attempt_at) and the relay publishes them when due.
    return services.deliveries_deliver(delivery_ids=delivery_ids)


@app.task
def webhook_relay_task() -> int:
    return services.webhook_relay()
