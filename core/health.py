"""Readiness checks: can this process reach what it needs to serve a request? Each check runs in
its own thread and the answer waits for them at most READYZ_CHECK_SECONDS (within the
READYZ_TIMEOUT_SECONDS promised), so a dependency that accepts connections and then says nothing
(a frozen Redis) makes /readyz say 503, not hang."""

from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.db import DatabaseError, connection

from servicedesk.celery import app as celery_app


def database_check() -> str | None:
    """None when the database answers, else the reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    finally:
        connection.close()  # this runs in a thread of its own: leave no connection behind
    return None


def broker_check(*, timeout: float = 2) -> str | None:
    """None when the Celery broker answers within `timeout` seconds, else the reason. A round
    trip (Redis PING), not just a connection: a frozen server still accepts connections."""
    try:
        with celery_app.connection_for_write(connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            client = getattr(conn.default_channel, "client", None)  # the filesystem broker has none
            if client is not None:
                client.ping()
    except Exception as exc:  # kombu wraps each transport's own errors differently
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def readiness() -> dict[str, str | None]:
    """Every dependency's problem (None when it answered), within READYZ_CHECK_SECONDS in all."""
    timeout = settings.READYZ_CHECK_SECONDS
    checks = {"database": database_check, "broker": lambda: broker_check(timeout=timeout)}
    executor = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {name: executor.submit(check) for name, check in checks.items()}
    wait(futures.values(), timeout=timeout)
    executor.shutdown(wait=False)  # a check still hanging ends on its own socket timeout
    return {
        name: future.result() if future.done() else f"no answer within {timeout:g} s"
        for name, future in futures.items()
    }
