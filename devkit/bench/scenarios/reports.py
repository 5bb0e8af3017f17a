"""Benchmark scenarios of the reports app (see ../harness.py): the managers' dashboard."""

from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from customers.models import CustomerCategory
from devkit.bench.harness import Scenario
from reports.models import RollupPeriod
from tickets.models import Service, Team, Ticket

FILTERS = {
    "": lambda: {},
    ", a team": lambda: {"scope": f"team:{_first(Team)}"},
    ", a service": lambda: {"scope": f"service:{_first(Service)}"},
    ", VIPs": lambda: {"scope": f"category:{CustomerCategory.VIP}"},
    ", phone calls": lambda: {"scope": f"channel:{Ticket.Channel.PHONE}"},
}


def bench_scenarios() -> list[Scenario]:
    scenarios = []
    for days, name in ((90, "90 days"), (730, "2 years")):
        for suffix, scope in FILTERS.items():
            if days == 730 and suffix in (", a team", ", phone calls"):
                continue  # one filter is enough to show the long period; a team reads like a service
            prepare = lambda days=days, scope=scope: _dashboard({**scope(), "period": str(days)})  # noqa: E731
            scenarios.append(Scenario(f"dashboard: {name}{suffix}", prepare))
            scenarios.append(Scenario(f"dashboard: {name}{suffix}, first view", prepare, _rollups_changed))
    scenarios.append(
        Scenario("agents' table: 90 days", lambda: _dashboard({"period": "90"}, "reports:agents"))
    )
    scenarios.append(Scenario("agent's own report card", _agent_card))
    return scenarios


def _dashboard(params: dict, page: str = "reports:dashboard") -> Callable[[], object]:
    manager = User.objects.filter(groups__name="Managers", is_active=True).order_by("pk").first()
    if manager is None:
        raise RuntimeError("No manager to benchmark with: run `manage.py seed_bench` (or seed_demo) first.")
    return _get(manager, reverse(page), params)


def _rollups_changed() -> None:
    """As after a refresh of the rollups: the dashboard's cached trend and breakdowns are stale."""
    RollupPeriod.objects.filter(pk=RollupPeriod.objects.order_by("-start").values("pk")[:1]).update(
        built_at=timezone.now()
    )


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
