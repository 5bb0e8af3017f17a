"""Tests built on bench/faults: each starts its own Redis, SMTP sink and app processes, and uses a
scratch database on (or the test database of) the suite's Postgres server. Each module is marked
needs_worker_process (Postgres and Redis), so where the suite must not skip
(SERVICEDESK_REQUIRE_SERVICES=1) they run."""

import shutil
import urllib.parse

import pytest
from django.db import connection


@pytest.fixture
def database_server() -> str:
    """The suite's Postgres server, where a fault script makes (and drops) a database of its own."""
    if shutil.which("redis-server") is None:
        pytest.fail("the fault scripts start their own redis-server, and it is not installed")
    database = connection.settings_dict
    credentials = urllib.parse.quote(database["USER"] or "postgres")
    if database["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(database["PASSWORD"])
    return f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/postgres"
