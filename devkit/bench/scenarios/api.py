"""Benchmark scenarios of the REST API (see ../harness.py), called as a client would: with a
personal token, so its lookup, the throttle and the JSON rendering are timed too."""

import itertools
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from accounts.models import User
from api import services as api_services
from api.models import ApiToken
from devkit.bench.harness import Scenario
from tickets.models import Service, Team, Ticket

TOKEN_NAME = "manage.py bench"


def bench_scenarios() -> list[Scenario]:
    return [
        Scenario("api: ticket list (queue)", lambda: _get(_token_client(_agent()), reverse("api:tickets"))),
        Scenario("api: ticket list, filtered", _list_filtered),
        Scenario("api: ticket list, search", _list_search),
        Scenario("api: ticket list (customer)", _list_customer),
        Scenario("api: ticket detail", _detail_staff),
        Scenario("api: ticket detail (customer)", _detail_customer),
        Scenario("api: conversation", _conversation),
        Scenario("api: submit a ticket", _submit),
    ]


def _token_client(user: User) -> Client:
    """A client sending a fresh token of `user`'s, made as `api_token_create` makes any (the
    previous run's bench tokens go first, so they do not pile up)."""
    ApiToken.objects.filter(user=user, name=TOKEN_NAME).delete()
    secret = api_services.api_token_create(user=user, name=TOKEN_NAME).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _agent() -> User:
    agent = User.objects.filter(groups__name="Agents", is_active=True).order_by("pk").first()
    if agent is None:
        raise RuntimeError("No agent to benchmark with: run `manage.py seed_bench` (or seed_demo) first.")
    return agent


def _latest_customer() -> User:
    return User.objects.get(pk=Ticket.objects.order_by("-pk").values_list("customer_id", flat=True).first())


def _get(client: Client, url: str) -> Callable[[], object]:
    def request():
        response = client.get(url)
        assert response.status_code == 200, (response.status_code, response.content[:200])
        return response

    return request


def _cycle(client: Client, urls: list[str]) -> Callable[[], object]:
    urls = itertools.cycle(urls)
    return lambda: _get(client, next(urls))()


def _list_filtered() -> Callable[[], object]:
    team = Team.objects.order_by("pk").first()
    return _get(_token_client(_agent()), f"{reverse('api:tickets')}?priority=p2&team={team.pk}&sort=priority")


def _list_search() -> Callable[[], object]:
    return _get(_token_client(_agent()), reverse("api:tickets") + "?q=printer+jams")


def _list_customer() -> Callable[[], object]:
    return _get(_token_client(_latest_customer()), reverse("api:tickets"))


def _detail_staff() -> Callable[[], object]:
    recent = Ticket.objects.order_by("-pk").values_list("pk", flat=True)[:50]  # every state
    return _cycle(_token_client(_agent()), [reverse("api:ticket", args=[pk]) for pk in recent])


def _detail_customer() -> Callable[[], object]:
    customer = _latest_customer()
    own = Ticket.objects.filter(customer=customer).order_by("-pk").values_list("pk", flat=True)[:50]
    return _cycle(_token_client(customer), [reverse("api:ticket", args=[pk]) for pk in own])


def _conversation() -> Callable[[], object]:
    recent = Ticket.objects.order_by("-pk").values_list("pk", flat=True)[:50]
    return _cycle(_token_client(_agent()), [reverse("api:ticket_messages", args=[pk]) for pk in recent])


def _submit() -> Callable[[], object]:
    client = _token_client(_latest_customer())
    service = Service.objects.filter(provided_by_it=True).order_by("pk").first()
    data = {
        "service": service.pk,
        "title": "Bench: laptop slow",
        "description": "Since the update.",
        "urgency": "medium",
        "impact": "low",
    }

    def request():
        response = client.post(reverse("api:tickets"), data, content_type="application/json")
        assert response.status_code == 201, (response.status_code, response.content[:200])
        return response

    return request
