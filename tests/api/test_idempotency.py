"""Idempotency-Key under a real race (clients retrying at once, each on its own connection), and
the keys' purge once their day is over."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api import services
from api.models import IdempotencyKey
from tickets.models import Ticket

from ..accounts.factories import CustomerFactory
from ..tickets.factories import ServiceFactory
from .conftest import ApiClient

RACERS = 6


@pytest.mark.django_db(transaction=True)
def test_clients_racing_with_one_key_make_one_ticket_and_all_get_it():
    customer, service = CustomerFactory(), ServiceFactory()
    token = services.api_token_create(user=customer, name="racer").secret
    body = {
        "service": service.pk,
        "title": "VPN down",
        "description": "Since 9.",
        "urgency": "high",
        "impact": "low",
    }
    start = threading.Barrier(RACERS)
    answers = []

    def race():
        try:
            start.wait()
            answer = ApiClient(customer, token=token).post(
                "/api/v1/tickets/", body, headers={"Idempotency-Key": "race-1"}
            )
            answers.append((answer.status_code, answer.json().get("id")))
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert sorted(code for code, _ in answers) == [200] * (RACERS - 1) + [201]
    assert {pk for _, pk in answers} == {ticket.pk}


@pytest.mark.django_db
def test_keys_older_than_a_day_are_purged_and_newer_ones_kept(api_customer):
    service = ServiceFactory()
    body = {"service": service.pk, "title": "T", "description": "D", "urgency": "low", "impact": "low"}
    for key in ("old", "new"):
        assert (
            api_customer.post("/api/v1/tickets/", body, headers={"Idempotency-Key": key}).status_code == 201
        )
    now = timezone.now()
    IdempotencyKey.objects.filter(key="old").update(
        created_at=now - timedelta(hours=services.IDEMPOTENCY_KEY_HOURS, seconds=1)
    )

    purged = services.idempotency_keys_purge(now=now)

    assert purged == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_a_racer_that_looked_before_the_winner_committed_answers_with_the_winners_ticket(
    api_customer, customer, monkeypatch
):
    """The interleaving the race above can hit: a request that found no key (the winner had not
    committed yet) must not take the winner's key away, which made a second ticket."""
    service = ServiceFactory()
    body = {"service": service.pk, "title": "T", "description": "D", "urgency": "low", "impact": "low"}
    first = api_customer.post("/api/v1/tickets/", body, headers={"Idempotency-Key": "late"})
    real_earlier, looks = services._earlier, []

    def earlier(**kwargs):
        looks.append(kwargs)
        return None if len(looks) == 1 else real_earlier(**kwargs)  # the first look found nothing

    monkeypatch.setattr(services, "_earlier", earlier)

    late = api_customer.post("/api/v1/tickets/", body, headers={"Idempotency-Key": "late"})

    assert (first.status_code, late.status_code) == (201, 200)
    assert late.json()["id"] == first.json()["id"]
    assert Ticket.objects.count() == 1
