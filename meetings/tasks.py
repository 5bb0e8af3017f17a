from celery import shared_task

from . import services


@shared_task
def action_reminders_task() -> int:
    return services.action_reminders_send()
