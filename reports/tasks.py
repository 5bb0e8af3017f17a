from servicedesk.celery import app

from . import rollups


@app.task
def rollups_refresh_task() -> int:
    return rollups.rollups_refresh()
