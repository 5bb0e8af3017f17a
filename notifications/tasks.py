"""Thin tasks: each loads fresh state through a service; running one twice changes nothing."""

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=None)
def outbound_email_deliver_task(self, message_id: int) -> None:
    # The service counts attempts and turns the last one into a dead letter, so Celery's own
    # retry limit is off; the countdown stays below the broker's visibility timeout.
    retry_in = services.outbound_email_deliver(message_id=message_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task
def outbound_email_relay_task() -> int:
    return services.outbound_email_relay()
