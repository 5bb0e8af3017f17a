from celery import shared_task

from . import services


@shared_task
def arrangement_reminders_task() -> int:
    return services.arrangement_reminders_send()
