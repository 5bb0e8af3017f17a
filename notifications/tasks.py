"""Thin tasks: each loads fresh state through a service; running one twice changes nothing.

Bound to the project's app rather than @shared_task: a shared task is a proxy that looks up the
*current* app when called, and the current app is thread-local state that a worker can change.
"""

from servicedesk.celery import app

from . import services


@app.task(bind=True, max_retries=None)
def outbound_email_deliver_task(self, message_id: int) -> None:
    # The service counts attempts and turns the last one into a dead letter, so Celery's own
    # retry limit is off; the countdown stays below the broker's visibility timeout.
    retry_in = services.outbound_email_deliver(message_id=message_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@app.task
def outbound_email_relay_task() -> int:
    return services.outbound_email_relay()
