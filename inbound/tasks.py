"""Thin tasks: each loads fresh state through a service; running one twice changes nothing."""

from dataclasses import asdict

from servicedesk.celery import app

from . import services


@app.task
def inbound_process_task(inbound_id: int) -> str | None:
    inbound = services.inbound_process(inbound_id=inbound_id)
    return inbound.status if inbound else None


@app.task
def inbound_sweep_task() -> int:
    return services.inbound_sweep()


@app.task
def inbound_imap_poll_task() -> dict | None:
    poll = services.inbound_imap_poll()
    return asdict(poll) if poll else None
