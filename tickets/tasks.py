"""Thin tasks: each loads fresh state through a service; running one twice changes nothing.

Bound to the project's app rather than @shared_task: a shared task is a proxy that looks up the
*current* app when called, and the current app is thread-local state that a worker can change.
Services publish these by name (notifications.publisher), so nothing imports this module back.
"""

from servicedesk.celery import app

from . import services


@app.task
def process_fixed_followups_task(improvement_id: int) -> int:
    return services.process_fixed_followups_send(improvement_id=improvement_id)


@app.task
def followups_scan_task() -> int:
    return services.followups_scan()


@app.task
def followup_process_task(ticket_ids: list[int]) -> list[str]:
    # One transaction per ticket: a failure or a redelivery leaves the others' steps done once.
    return [services.followup_process(ticket_id=ticket_id) for ticket_id in ticket_ids]


@app.task
def sla_alert_process_task(ticket_ids: list[int]) -> list[str]:
    return [services.sla_alert_process(ticket_id=ticket_id) for ticket_id in ticket_ids]
