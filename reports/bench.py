"""Benchmark scenarios of the reports app (see core/benchmarking.py): the managers' dashboard."""

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from accounts.models import User
from customers.models import CustomerCategory
from tickets.models import Service, Team


def bench_scenarios() -> list:
    from core.benchmarking import Scenario

    return [
        Scenario("dashboard: 90 days", lambda: _dashboard({})),
        Scenario("dashboard: 90 days, a team", lambda: _dashboard({"scope": f"team:{_first(Team)}"})),
        Scenario(
            "dashboard: 90 days, a service", lambda: _dashboard({"scope": f"service:{_first(Service)}"})
        ),
        Scenario(
            "dashboard: 90 days, VIPs", lambda: _dashboard({"scope": f"category:{CustomerCategory.VIP}"})
        ),
        Scenario("dashboard: 2 years", lambda: _dashboard({"period": "730"})),
        Scenario(
            "dashboard: 2 years, a service",
            lambda: _dashboard({"period": "730", "scope": f"service:{_first(Service)}"}),
        ),
        Scenario("agent's own report card", _agent_card),
    ]


def _dashboard(params: dict) -> Callable[[], object]:
    manager = User.objects.filter(groups__name="Managers", is_active=True).order_by("pk").first()
    if manager is None:
        raise RuntimeError("No manager to benchmark with: run `manage.py seed_bench` (or seed_demo) first.")
    return _get(manager, reverse("reports:dashboard"), params)


def _agent_card() -> Callable[[], object]:
    agent = User.objects.filter(groups__name="Agents", is_active=True).order_by("pk").first()
    return _get(agent, reverse("reports:agent_card_mine"), {})


def _get(user: User, url: str, params: dict) -> Callable[[], object]:
    client = Client()
    client.force_login(user)

    def request():
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        return response

    return request


def _first(model) -> int:
    # The busiest: the first team and service of the bench data carry as much as any other.
    return model.objects.order_by("pk").values_list("pk", flat=True).first()
