"""The benchmark's data loader and runner work end to end (on a tiny data set: figures are
measured with the commands, never asserted in tests)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from customers.models import CustomerProfile
from devkit.bench.scenarios import knowledge as knowledge_scenarios
from tickets.models import Ticket, TicketMessage


@pytest.mark.django_db(transaction=True)
def test_seed_bench_then_bench_prints_every_scenario(monkeypatch):
    monkeypatch.setattr(knowledge_scenarios, "ARTICLES", 40)  # the help centre, made by the scenario
    call_command("seed_bench", tickets=60, customers=12, agents=3, stdout=StringIO())

    assert Ticket.objects.count() == 60
    assert {"portal", "email"} <= set(
        Ticket.objects.values_list("channel", flat=True)
    )  # not all by the portal
    assert TicketMessage.objects.count() >= 60
    assert CustomerProfile.objects.count() == 12

    out = StringIO()
    call_command("bench", repeat=2, as_json=True, stdout=out)

    figures = json.loads(out.getvalue())
    assert set(figures) == {
        "queue: default view",
        "queue: filtered",
        "queue: search",
        "ticket page",
        "my requests",
        "submit a ticket",
        *(
            f"dashboard: {period}{scope}{view}"
            for period, scopes in (
                ("90 days", ("", ", a team", ", a service", ", VIPs", ", phone calls")),
                ("2 years", ("", ", a service", ", VIPs")),
            )
            for scope in scopes
            for view in ("", ", first view")
        ),
        "agents' table: 90 days",
        "agent's own report card",
        "api: ticket list (queue)",
        "api: ticket list, filtered",
        "api: ticket list, search",
        "api: ticket list (customer)",
        "api: ticket detail",
        "api: ticket detail (customer)",
        "api: conversation",
        "api: submit a ticket",
        "help: suggestions while typing (40 articles)",
    }
    for scenario in figures.values():
        assert scenario["median_ms"] > 0
        assert scenario["queries"] > 0
