from servicedesk.celery import app

from . import services


@app.task
def article_review_reminders_task() -> int:
    return services.article_review_reminders_send()
