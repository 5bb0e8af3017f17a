"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app's tasks.py."""

import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings.local")


class DatabaseRetryingTask(Task):
    """Every task is safe to run twice, so one that meets the database restarting or out of reach
    is tried again soon (1, 2, 4 … 30 s, with jitter) rather than acknowledged and dropped. Past
    the retries, the periodic sweeps (outbox relay, follow-up scan, survey sweep) find its work."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = True
    retry_backoff_max = 30
    max_retries = 60


app = Celery("servicedesk", task_cls=DatabaseRetryingTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
