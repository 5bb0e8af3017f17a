"""Thin tasks: each loads fresh state through a service; running one twice changes nothing.

Bound to the project's app, not @shared_task (see tickets/tasks.py).
"""

from servicedesk.celery import app

from . import services


@app.task
def survey_invite_send_task(survey_id: int) -> bool:
    return services.survey_invite_send(survey_id=survey_id)


@app.task
def surveys_due_send_task() -> tuple[int, int]:
    return services.surveys_due_send()


@app.task
def manager_digest_task() -> int:
    return services.manager_digest_send()
