"""Benchmark scenarios of the tickets app (see ../harness.py): the desk and the portal."""

import itertools
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from accounts.models import User
from devkit.bench.harness import Scenario
from tickets.models import Service, Team, Ticket


def bench_scenarios() -> list[Scenario]:
    return [
        Scenario("queue: default view", lambda: _get(_agent(), reverse("tickets:queue"))),
        Scenario("queue: filtered", _queue_filtered),
        Scenario("queue: search", lambda: _get(_agent(), reverse("tickets:queue") + "?q=printer+jams")),
        Scenario("ticket page", _ticket_page),
        Scenario("my requests", _my_requests),
        Scenario("submit a ticket", _submit),
    ]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _agent() -> Client:
    agent = User.objects.filter(groups__name="Agents", is_active=True).order_by("pk").first()
    if agent is None:
        raise RuntimeError("No agent to benchmark with: run `manage.py seed_bench` (or seed_demo) first.")
    return _client(agent)


def _get(client: Client, url: str) -> Callable[[], object]:
    def request():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    return request


def _queue_filtered() -> Callable[[], object]:
    team = Team.objects.order_by("pk").first()
    return _get(_agent(), f"{reverse('tickets:queue')}?priority=p2&team={team.pk}&sort=priority")


def _ticket_page() -> Callable[[], object]:
    client = _agent()
    recent = Ticket.objects.order_by("-pk").values_list("pk", flat=True)[
        :50
    ]  # every state, as agents see them
    urls = itertools.cycle([reverse("tickets:agent_detail", args=[pk]) for pk in recent])
    return lambda: _get(client, next(urls))()


def _my_requests() -> Callable[[], object]:
    customer_id = Ticket.objects.order_by("-pk").values_list("customer_id", flat=True).first()
    return _get(_client(User.objects.get(pk=customer_id)), reverse("tickets:my_requests"))


def _submit() -> Callable[[], object]:
    customer_id = Ticket.objects.order_by("-pk").values_list("customer_id", flat=True).first()
    client = _client(User.objects.get(pk=customer_id))
    service = Service.objects.filter(provided_by_it=True).order_by("pk").first()
    data = {
        "service": service.pk,
        "title": "Bench: laptop slow",
        "description": "Since the update.",
        "urgency": "medium",
        "impact": "low",
    }

    def request():
        response = client.post(reverse("tickets:submit"), data)
        assert response.status_code == 302, response.status_code
        return response

    return request
