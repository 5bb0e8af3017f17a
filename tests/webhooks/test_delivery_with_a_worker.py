"""Deliveries through the outbox with a real worker to a real receiver on 127.0.0.1: signed so the
standardwebhooks library verifies them, retried with backoff, dead after the last attempt, and
sent once per event and endpoint."""

import json

from django.db import transaction
from standardwebhooks.webhooks import Webhook

from customers.models import CustomerProfile
from notifications import publisher
from tickets.services import ticket_claim, ticket_create, ticket_reply
from webhooks import events, services
from webhooks.models import WebhookDelivery

from ..accounts.factories import AgentFactory, CustomerFactory
from ..tickets.factories import ServiceFactory
from ..waiting import wait_until

NOTE = "Internal: the customer is a pain, check with HR before answering"


def _ticket_created(**fields):
    customer = CustomerFactory()
    CustomerProfile.objects.update_or_create(user=customer, defaults={"category": "repeat_offender"})
    with transaction.atomic():
        return ticket_create(
            customer=customer,
            title=fields.get("title", "VPN drops every hour"),
            description="Since Monday",
            service=ServiceFactory(name="Remote access"),
            urgency="high",
            impact="medium",
        )


def _sent(delivery: WebhookDelivery) -> bool:
    delivery.refresh_from_db()
    return delivery.status == WebhookDelivery.Status.SENT


def test_a_new_ticket_reaches_the_endpoint_signed_as_standard_webhooks_says(
    celery_worker, receiver, endpoint_for
):
    endpoint = endpoint_for(receiver.url, [events.TICKET_CREATED])

    ticket = _ticket_created()

    delivery = WebhookDelivery.objects.get()
    wait_until(lambda: _sent(delivery), message="the delivery")
    (request,) = receiver.requests
    assert request.path == "/hooks?source=desk"
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert request.headers["webhook-id"] == delivery.event_id and delivery.event_id.startswith("msg_")
    assert payload["type"] == "ticket.created"
    assert payload["data"]["reference"] == ticket.reference
    assert payload["data"]["service"] == "Remote access"
    assert (delivery.attempts, delivery.last_response_code) == (1, 200)
    assert delivery.last_latency_ms is not None


def test_the_payload_carries_no_category_internal_note_or_conversation(celery_worker, receiver, endpoint_for):
    endpoint_for(receiver.url, [events.TICKET_CREATED, events.TICKET_ASSIGNED])
    ticket = _ticket_created()
    agent = AgentFactory(first_name="Sam", last_name="Okafor")
    with transaction.atomic():
        ticket_reply(ticket=ticket, author=agent, body=NOTE, internal=True)
        ticket_claim(ticket=ticket, agent=agent)

    wait_until(lambda: len(receiver.requests) == 2, message="both events")
    for request in receiver.requests:
        payload = json.loads(request.body)
        assert set(payload) == {"type", "timestamp", "data"}
        assert "category" not in request.body.decode() and "repeat_offender" not in request.body.decode()
        assert NOTE not in request.body.decode() and "Since Monday" not in request.body.decode()
        assert set(payload["data"]) <= {
            "id", "reference", "title", "status", "priority", "service", "team", "assignee", "channel",
            "url", "previous_status",
        }  # fmt: skip
    assert json.loads(receiver.requests[-1].body)["data"]["assignee"] == "Sam Okafor"


def test_an_endpoint_that_fails_is_retried_then_accepts_with_the_same_id(
    celery_worker, receiver, endpoint_for, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0  # due at once; the backoff itself is tested elsewhere
    receiver.answers = [500, 503, 200]
    endpoint_for(receiver.url, [events.TICKET_CREATED])
    _ticket_created()
    delivery = WebhookDelivery.objects.get()

    def relayed_until_sent() -> bool:
        delivery.refresh_from_db()
        if delivery.status == WebhookDelivery.Status.PENDING and delivery.enqueued_at is None:
            services.webhook_relay()  # beat's job: publish the retry once it is due
        return delivery.status == WebhookDelivery.Status.SENT

    wait_until(relayed_until_sent, timeout=30, message="sent after two failures")
    assert delivery.attempts == 3
    assert [request.headers["webhook-id"] for request in receiver.requests] == [delivery.event_id] * 3
    assert delivery.last_response_code == 200 and delivery.last_error == ""


def test_an_endpoint_that_keeps_failing_gets_a_dead_letter_after_the_last_attempt(
    celery_worker, receiver, endpoint_for, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [500]
    endpoint_for(receiver.url, [events.TICKET_CREATED])
    _ticket_created()
    delivery = WebhookDelivery.objects.get()

    def relayed_until_dead() -> bool:
        delivery.refresh_from_db()
        if delivery.status == WebhookDelivery.Status.PENDING and delivery.enqueued_at is None:
            services.webhook_relay()
        return delivery.status == WebhookDelivery.Status.DEAD

    wait_until(relayed_until_dead, timeout=30, message="dead letter")
    assert delivery.attempts == 3 and len(receiver.requests) == 3
    assert delivery.dead_at is not None and delivery.last_error.startswith("HTTP 500")
    assert services.webhook_relay() == 0  # a dead letter is not relayed again


def test_each_event_goes_once_to_each_endpoint_however_often_it_is_published(
    celery_worker, receiver, endpoint_for
):
    first = endpoint_for(receiver.url, [events.TICKET_CREATED])
    second = endpoint_for(receiver.url.replace("source=desk", "source=second"), [events.TICKET_CREATED])
    ticket = _ticket_created()
    data = events.ticket_data(ticket)
    occasion = f"ticket-event:{ticket.events.get().pk}"
    with transaction.atomic():  # the same event announced again: no new row, nothing published
        assert services.event_publish(event_type=events.TICKET_CREATED, data=data, occasion=occasion) == 0
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert {delivery.endpoint_id for delivery in deliveries} == {first.pk, second.pk}
    # Duplicate tasks for the same rows, as when the relay and a slow first task overlap.
    publisher.publish_now(services.DELIVER_TASK, [([d.pk for d in deliveries],)] * 3)

    wait_until(lambda: all(_sent(delivery) for delivery in deliveries), message="both deliveries")
    publisher.drain()
    wait_until(
        lambda: not WebhookDelivery.objects.filter(claimed_until__isnull=False).exists(), message="idle"
    )
    assert sorted(request.path for request in receiver.requests) == [
        "/hooks?source=desk",
        "/hooks?source=second",
    ]
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    assert all(delivery.attempts == 1 for delivery in deliveries)


def test_the_test_send_goes_through_the_outbox(celery_worker, receiver, endpoint_for, manager):
    endpoint = endpoint_for(receiver.url, [events.SURVEY_ANSWERED])
    with transaction.atomic():
        services.endpoint_test_send(endpoint=endpoint, by=manager)

    # The receiver has the request before the worker commits the row as sent: wait for both.
    wait_until(lambda: _sent(WebhookDelivery.objects.get()), message="the test event marked sent")
    assert len(receiver.requests) == 1
    payload = Webhook(endpoint.secret).verify(receiver.requests[0].body, receiver.requests[0].headers)
    assert payload["type"] == "webhook.test"
