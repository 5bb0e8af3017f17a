"""Fixtures shared by every test: users of each role, their clients, a real Celery worker."""

import os
import shutil
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from notifications import publisher
from servicedesk.celery import app as celery_app

from .accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from .workers import database_url

# CI sets this: every test must run against the real Postgres and Redis, and a skip is a failure.
REQUIRE_SERVICES = os.environ.get("SERVICEDESK_REQUIRE_SERVICES") == "1"


def pytest_sessionstart(session: pytest.Session) -> None:
    if not REQUIRE_SERVICES:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        raise pytest.UsageError(f"SERVICEDESK_REQUIRE_SERVICES=1 but the database is {engine}, not Postgres")
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise pytest.UsageError("SERVICEDESK_REQUIRE_SERVICES=1 but the Celery broker is not Redis")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if REQUIRE_SERVICES and skipped and session.exitstatus == 0:
        reporter.ensure_newline()
        reporter.write_line(f"{skipped} test(s) skipped, and skips fail the run here.", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: pages keep some counts a minute (the dashboard's
    backlog), and a count cached by an earlier test would be read by the next."""
    cache.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Wait for the background publisher before the test's fixtures are torn down: a publish left
    running would touch the database after the test lost access to it, and fail in whatever test
    came next. A publish that does not finish fails this test (drain raises)."""
    publisher.drain()
    return (yield)


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def manager(db):
    return ManagerFactory()


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def customer_client(customer) -> Client:
    return _client_for(customer)


@pytest.fixture
def agent_client(agent) -> Client:
    return _client_for(agent)


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


class BrokerOutage:
    """Celery pointed at a port where nothing listens, as when Redis is down, until end()."""

    def __init__(self, dead_url: str = "redis://127.0.0.1:1/0") -> None:
        self.real_url, self.real_transport = celery_app.conf.broker_url, celery_app.conf.broker_transport
        celery_configure(broker_url=dead_url, broker_transport=None)  # the URL's scheme (redis) decides
        celery_app.close()  # drop pooled connections to the real broker

    def end(self) -> None:
        celery_configure(broker_url=self.real_url, broker_transport=self.real_transport)
        celery_app.close()


def celery_configure(**changes) -> None:
    """Change Celery settings at run time. Celery 5.6 reads a setting under the name Django's
    settings gave it (CELERY_BROKER_URL) before its own (broker_url), so both are set."""
    for name, value in changes.items():
        celery_app.conf[name] = value
        celery_app.conf[f"CELERY_{name.upper()}"] = value


@pytest.fixture
def broker_down() -> Iterator[BrokerOutage]:
    outage = BrokerOutage()
    yield outage
    outage.end()


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, django_db_blocker) -> Iterator[None]:
    """One real worker thread for the session, consuming the test queue of the real broker."""
    with django_db_blocker.unblock():
        # Register every app's tasks before the worker starts: it only knows the tasks it sees then.
        celery_app.loader.import_default_modules()
        celery_app.control.purge()  # tasks left by earlier runs refer to rows long gone
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield


@pytest.fixture
def celery_worker(_celery_worker_session, transactional_db) -> Iterator[None]:
    """A running worker; the test's data is committed, so the worker's own connection sees it."""
    yield


@pytest.fixture
def database_server() -> str:
    """The suite's Postgres server, where a test that starts app processes of their own (the fault
    scripts, a second servicedesk) makes and drops a database of its own."""
    if shutil.which("redis-server") is None:
        pytest.fail("these tests start their own redis-server, and it is not installed")
    return database_url("postgres")
