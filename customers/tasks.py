from servicedesk.celery import app

from . import services


@app.task
def arrangement_reminders_task() -> int:
    return services.arrangement_reminders_send()
