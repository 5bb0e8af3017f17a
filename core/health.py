"""Readiness checks: can this process reach what it needs to serve a request?"""

from django.db import DatabaseError, connection

from servicedesk.celery import app as celery_app


def database_check() -> str | None:
    """None when the database answers, else the reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def broker_check(*, timeout: float = 2) -> str | None:
    """None when the Celery broker accepts a connection within `timeout` seconds, else the reason."""
    try:
        with celery_app.connection_for_write(connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    except Exception as exc:  # kombu wraps each transport's own errors differently
        return f"{type(exc).__name__}: {exc}".strip()
    return None
