"""Thin tasks: each loads fresh state through a service; running one twice changes nothing.

Bound to the project's app rather than @shared_task: a shared task is a proxy that looks up the
*current* app when called, and the current app is thread-local state that a worker can change.
"""

from servicedesk.celery import app

from . import services


@app.task
def outbound_email_deliver_task(message_ids: list[int]) -> None:
    # The service counts attempts and turns the last one into a dead letter; each e-mail that
    # failed is retried on its own after its backoff, which stays below the broker's visibility
    # timeout. If this publish fails, the relay finds the row pending and sends it later.
    retries = services.outbound_emails_deliver(message_ids=message_ids)
    for message_id, retry_in in retries.items():
        outbound_email_deliver_task.apply_async(([message_id],), countdown=retry_in)


@app.task
def outbound_email_relay_task() -> int:
    return services.outbound_email_relay()
