"""Redis down or frozen: every page keeps working from the database (sessions included), and
/readyz says 503 within its bound instead of hanging."""

import copy
import socket
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from servicedesk.settings import base
from tickets.models import Ticket

from ..accounts.factories import CustomerFactory
from ..conftest import BrokerOutage
from ..tickets.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def _redis_cache(url: str) -> dict:
    """The cache settings production runs with (base.py), aimed at `url`, with a short timeout."""
    if not settings.REDIS_URL:
        pytest.skip("the Redis cache is configured only with REDIS_URL")
    caches = copy.deepcopy(base.CACHES)
    caches["default"]["LOCATION"] = url
    caches["default"]["OPTIONS"].update(SOCKET_CONNECT_TIMEOUT=0.3, SOCKET_TIMEOUT=0.3)
    return caches


@pytest.fixture
def frozen_port() -> Iterator[int]:
    """A TCP port that accepts connections and never answers, as a frozen Redis does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield listener.getsockname()[1]
    listener.close()


def _customer_submits_a_request() -> tuple[float, list[int]]:
    customer, service = CustomerFactory(), ServiceFactory()
    client = Client()
    started = time.monotonic()
    client.force_login(customer)  # the session is written while the cache cannot take it
    statuses = [client.get(reverse("core:home")).status_code]
    response = client.post(
        reverse("tickets:submit"),
        {"service": service.pk, "title": "Printer offline", "description": "Since 9.", "urgency": "low",
         "impact": "low"},
    )  # fmt: skip
    statuses += [response.status_code, client.get(reverse("tickets:my_requests")).status_code]
    return time.monotonic() - started, statuses


@pytest.mark.parametrize("where", ["down", "frozen"])
def test_customers_keep_submitting_while_redis_is_down_or_frozen(where, frozen_port):
    url = "redis://127.0.0.1:1/0" if where == "down" else f"redis://127.0.0.1:{frozen_port}/0"

    with override_settings(CACHES=_redis_cache(url), SESSION_ENGINE=base.SESSION_ENGINE):
        elapsed, statuses = _customer_submits_a_request()

    assert statuses == [200, 302, 200]
    assert Ticket.objects.filter(title="Printer offline").count() == 1
    assert elapsed < 10  # each cache call gives up after its timeout, never hangs


def test_readyz_says_503_within_its_bound_when_the_broker_is_frozen(client, frozen_port):
    outage = BrokerOutage(f"redis://127.0.0.1:{frozen_port}/0")
    try:
        started = time.monotonic()
        response = client.get(reverse("core:readyz"))
        elapsed = time.monotonic() - started
    finally:
        outage.end()

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "no answer within 1.5 s"
    assert response.json()["checks"]["database"] == "ok"
    assert elapsed < settings.READYZ_TIMEOUT_SECONDS  # the bound promised, with room to spare


def test_after_one_timeout_the_cache_leaves_a_frozen_redis_alone_for_a_while(frozen_port):
    """A page makes several cache calls; with Redis frozen each used to wait its full timeout, and
    pages took seconds (bench/faults/redis_outage.py). Now the first waits and the rest, for
    REDIS_BREAKER_SECONDS, are misses at once; after that Redis is tried again."""
    from django.core.cache import cache

    from core.cache import breaker_reset

    breaker_reset()
    caches = _redis_cache(f"redis://127.0.0.1:{frozen_port}/0")
    try:
        with override_settings(CACHES=caches, REDIS_BREAKER_SECONDS=30):
            started = time.monotonic()
            assert cache.get("first") is None
            first = time.monotonic() - started

            started = time.monotonic()
            for n in range(20):
                assert cache.get(f"key{n}") is None
                cache.set(f"key{n}", n)
            cache.set_many({"a": 1, "b": 2})
            rest = time.monotonic() - started

            breaker_reset()  # as when REDIS_BREAKER_SECONDS have passed
            started = time.monotonic()
            assert cache.get("again") is None
            again = time.monotonic() - started
    finally:
        breaker_reset()

    assert first >= 0.25  # it did wait for Redis (the socket timeout here is 0.3 s)
    assert rest < 2  # 41 calls that did not (waiting, they would have taken 12 s)
    assert again >= 0.25  # and once the pause is over, Redis is tried again
