"""Thin tasks: each runs a service; running one twice changes nothing."""

from servicedesk.celery import app

from . import services


@app.task
def idempotency_keys_purge_task() -> int:
    return services.idempotency_keys_purge()
