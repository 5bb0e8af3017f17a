"""Thin tasks: each loads fresh state through a service; running one twice changes nothing.

Bound to the project's app rather than @shared_task: a shared task is a proxy that looks up the
*current* app when called, and the current app is thread-local state that a worker can change.
"""

from servicedesk.celery import app

from . import services


@app.task
def process_fixed_followups_task(improvement_id: int) -> int:
    return services.process_fixed_followups_send(improvement_id=improvement_id)
