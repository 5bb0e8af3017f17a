"""`manage.py load`'s people, client and figures work against a real server (the test live
server, not gunicorn: figures are measured with the command, never asserted in tests)."""

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from devkit.load.client import Browser
from devkit.load.people import Agent, Customer, Ledger, Recorder
from devkit.load.report import Figures, percentile
from notifications.models import OutboundEmail
from tickets.models import Ticket, TicketMessage

from ..accounts.factories import PASSWORD, AgentFactory, CustomerFactory
from ..tickets.factories import ServiceFactory


@pytest.mark.django_db(transaction=True)
def test_a_customer_and_an_agent_go_through_their_rounds(live_server):
    customer, agent = CustomerFactory(), AgentFactory()
    service = ServiceFactory()
    port = urlsplit(live_server.url).port
    recorder, ledger = Recorder(recording=True), Ledger("t35t01")
    common = {"recorder": recorder, "password": PASSWORD, "fragments": True, "rng": random.Random(1)}
    people = [
        Customer(
            Browser("127.0.0.1", port),
            username=customer.username,
            ledger=ledger,
            services=[service.pk],
            **common,
        ),
        Agent(
            Browser("127.0.0.1", port),
            username=agent.username,
            filters=["view=unassigned&sort=newest"],
            **common,
        ),
    ]

    async def rounds() -> None:
        for person in people:
            await person.sign_in()
            await person.round()

    # In a thread of its own: a test before may leave an event loop running in this one (Playwright).
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, rounds()).result()

    assert not recorder.errors, recorder.samples
    assert set(recorder.timings) == {
        "sign in",
        "customer: home",
        "customer: new request form",
        "customer: submit",
        "customer: request page",
        "customer: reply",
        "customer: my requests",
        "agent: queue",
        "agent: ticket page",  # the customer's new request, from the queue
        "agent: search",
        "agent: queue filtered",
        "fragment: bell",
        "fragment: presence",
    }
    [(title, pk)] = ledger.submitted.items()
    assert Ticket.objects.get(pk=pk).title == title
    assert OutboundEmail.objects.filter(idempotency_key=f"ticket-created:{pk}").count() == 1
    [(body, replied_to)] = ledger.replies.items()
    assert TicketMessage.objects.get(body=body).ticket_id == replied_to == pk


def test_figures_are_nearest_rank_percentiles_in_milliseconds():
    timings = [n / 1000 for n in range(1, 101)]  # 1 to 100 ms

    figures = Figures.of(timings, errors=2, seconds=10)

    assert (figures.p50, figures.p95, figures.p99) == pytest.approx((50, 95, 99))
    assert figures.per_second == pytest.approx(10.2)  # failed requests were served too
    assert percentile([], 0.5) != percentile([], 0.5)  # NaN: no figure rather than a wrong one
