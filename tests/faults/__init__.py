"""Tests built on bench/faults: each starts its own Redis, SMTP sink and app processes, and uses a
scratch database on (or the test database of) the suite's Postgres server (the `database_server`
fixture, in tests/conftest.py). Each module is marked needs_worker_process (Postgres and Redis),
so where the suite must not skip (SERVICEDESK_REQUIRE_SERVICES=1) they run."""
