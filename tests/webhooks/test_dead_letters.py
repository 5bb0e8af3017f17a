"""Dead letters delivered again from the endpoint's page, and an endpoint that has failed too long
paused (its managers told) until a manager turns it back on. A real receiver on 127.0.0.1; the
redelivery goes through a real worker."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from webhooks import events, services
from webhooks.models import WebhookDelivery

from ..waiting import wait_until

pytestmark = pytest.mark.django_db


def _dead_letter(endpoint, receiver, settings) -> WebhookDelivery:
    """A test event the receiver refuses until it dies (delivered in this process)."""
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [503]
    delivery = services.endpoint_test_send(endpoint=endpoint, by=endpoint.created_by)
    for _attempt in range(2):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        services.delivery_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DEAD
    return delivery


def test_a_manager_delivers_a_dead_letter_again_once_the_receiver_works(
    celery_worker, receiver, endpoint_for, manager_client, manager, settings
):
    endpoint = endpoint_for(receiver.url, [events.TICKET_CREATED])
    delivery = _dead_letter(endpoint, receiver, settings)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None and endpoint.is_active  # a day has not passed
    receiver.answers = [200]

    page = manager_client.get(endpoint.get_absolute_url())
    assert "Deliver all 1 dead letter again" in page.content.decode()
    response = manager_client.post(
        reverse("webhooks:dead_letters_redeliver", args=[endpoint.pk]), {"delivery": delivery.pk}
    )

    assert response.status_code == 302
    wait_until(
        lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="sent").exists(), message="redelivery"
    )
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.attempts == 1 and delivery.dead_at is None
    assert [request.headers["webhook-id"] for request in receiver.requests] == [delivery.event_id] * 3
    assert endpoint.failing_since is None  # it accepts again
    entry = LogEntry.objects.filter(object_id=str(endpoint.pk), action_flag=CHANGE).latest("pk")
    assert (entry.user, entry.change_message) == (manager, f"Delivering dead letter {delivery.pk} again.")


def test_delivering_all_again_takes_only_this_endpoints_dead_letters(
    receiver, endpoint_for, manager_client, settings
):
    endpoint, other = endpoint_for(receiver.url), endpoint_for(receiver.url)
    dead = [_dead_letter(endpoint, receiver, settings) for _ in range(2)]
    others = _dead_letter(other, receiver, settings)

    response = manager_client.post(
        reverse("webhooks:dead_letters_redeliver", args=[endpoint.pk]), follow=True
    )

    assert "2 dead letters are being delivered again" in response.content.decode()
    assert set(WebhookDelivery.objects.filter(status="pending").values_list("pk", flat=True)) == {
        delivery.pk for delivery in dead
    }
    others.refresh_from_db()
    assert others.status == "dead"
    # Another endpoint's delivery named on this one's page is nothing to deliver; a garbled id a 404.
    url = reverse("webhooks:dead_letters_redeliver", args=[endpoint.pk])
    none_left = manager_client.post(url, {"delivery": others.pk}, follow=True)
    assert "There was no dead letter to deliver again." in none_left.content.decode()
    assert manager_client.post(url, {"delivery": "1; DROP TABLE"}).status_code == 404


def test_only_managers_deliver_again(receiver, endpoint_for, settings, agent_client, customer_client, client):
    endpoint = endpoint_for(receiver.url)
    delivery = _dead_letter(endpoint, receiver, settings)
    url = reverse("webhooks:dead_letters_redeliver", args=[endpoint.pk])

    assert agent_client.post(url).status_code == 403
    assert customer_client.post(url).status_code == 403
    assert client.post(url).status_code == 302  # to log in
    assert client.get(url).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "dead"


def test_an_endpoint_failing_longer_than_the_setting_is_paused_and_the_managers_told(
    receiver, endpoint_for, manager, manager_client, settings
):
    settings.WEBHOOK_PAUSE_AFTER_HOURS = 24
    endpoint = endpoint_for(receiver.url, [events.TICKET_CREATED])
    _dead_letter(endpoint, receiver, settings)
    endpoint.refresh_from_db()
    assert endpoint.is_active  # failing, but not for a day yet
    endpoint.failing_since = timezone.now() - timedelta(hours=25)
    endpoint.save(update_fields=["failing_since"])

    _dead_letter(endpoint, receiver, settings)

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.paused_at is not None
    notice = Notification.objects.get(recipient=manager)
    assert notice.text.startswith("Webhook paused: http://127.0.0.1")
    assert notice.url == endpoint.get_absolute_url()
    page = manager_client.get(endpoint.get_absolute_url()).content.decode()
    assert "Paused by the desk on" in page
    # Paused, it hears of nothing.
    assert services.event_publish(event_type=events.TICKET_CREATED, data={}, occasion="after-pause") == 0

    manager_client.post(
        reverse("webhooks:endpoint_edit", args=[endpoint.pk]),
        {"url": endpoint.url, "description": "", "events": [events.TICKET_CREATED], "is_active": "on"},
    )

    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.paused_at is None and endpoint.failing_since is None
    assert services.event_publish(event_type=events.TICKET_CREATED, data={}, occasion="back-on") == 1
