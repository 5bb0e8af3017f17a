"""The managers' webhook pages: who may see them, adding and changing an endpoint (audited), its
secret, rotating it, the test-send, the delivery log, hostile text, and constant queries."""

import re

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import timezone

from webhooks import events, services
from webhooks.models import WebhookDelivery, WebhookEndpoint

from ..hostile import HOSTILE_INPUTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(manager, private_allowed):
    return services.endpoint_create(
        by=manager, url="http://127.0.0.1:9/hook", description="Monitoring", events=[events.TICKET_CREATED]
    )


def _pages(endpoint) -> list[tuple[str, str]]:
    return [
        ("get", reverse("webhooks:endpoint_list")),
        ("get", reverse("webhooks:endpoint_create")),
        ("get", reverse("webhooks:endpoint_detail", args=[endpoint.pk])),
        ("get", reverse("webhooks:endpoint_edit", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint_rotate", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint_test", args=[endpoint.pk])),
        ("post", reverse("webhooks:dead_letters_redeliver", args=[endpoint.pk])),
    ]


def test_customers_and_agents_are_refused_every_page(customer_client, agent_client, endpoint):
    for method, url in _pages(endpoint):
        assert getattr(customer_client, method)(url).status_code == 403, url
        assert getattr(agent_client, method)(url).status_code == 403, url
    assert WebhookDelivery.objects.count() == 0
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client, endpoint):
    for method, url in _pages(endpoint):
        response = getattr(client, method)(url)
        assert (response.status_code, response["Location"]) == (302, redirect_to_login(url)["Location"]), url


def test_managers_see_every_page(manager_client, endpoint):
    for method, url in _pages(endpoint):
        expected = 200 if method == "get" else 302
        assert getattr(manager_client, method)(url).status_code == expected, url
    assert manager_client.get(reverse("webhooks:endpoint_detail", args=[999_999])).status_code == 404


def test_a_manager_adds_an_endpoint_and_sees_its_secret_audited(manager_client, manager, private_allowed):
    response = manager_client.post(
        reverse("webhooks:endpoint_create"),
        {
            "url": "http://127.0.0.1:8081/hook",
            "description": "Status page",
            "events": [events.TICKET_CREATED, events.SURVEY_ANSWERED],
            "is_active": "on",
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == endpoint.get_absolute_url()
    assert endpoint.events == [events.TICKET_CREATED, events.SURVEY_ANSWERED]
    assert endpoint.created_by == manager and endpoint.is_active
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{32}", endpoint.secret)
    page = manager_client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret in page and "Survey answered" in page
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (manager, ADDITION, str(endpoint.pk))
    assert endpoint.secret not in entry.change_message


def test_an_endpoint_needs_an_event(manager_client, private_allowed):
    response = manager_client.post(reverse("webhooks:endpoint_create"), {"url": "http://127.0.0.1/"})

    assert "Choose at least one event." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_manager_changes_an_endpoint_audited(manager_client, manager, endpoint):
    manager_client.post(
        reverse("webhooks:endpoint_edit", args=[endpoint.pk]),
        {"url": endpoint.url, "description": "Paging", "events": [events.TICKET_SLA_BREACHED]},
    )

    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.events, endpoint.is_active) == (
        "Paging",
        [events.TICKET_SLA_BREACHED],
        False,
    )
    assert LogEntry.objects.filter(action_flag=CHANGE).get().change_message == (
        "Changed description, events, is_active."
    )


def test_rotating_the_secret_replaces_it_audited(manager_client, manager, endpoint):
    old = endpoint.secret

    manager_client.post(reverse("webhooks:endpoint_rotate", args=[endpoint.pk]))

    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
    assert LogEntry.objects.filter(action_flag=CHANGE).get().change_message == "Secret rotated."


def test_the_test_send_queues_a_test_event_audited(manager_client, endpoint):
    manager_client.post(reverse("webhooks:endpoint_test", args=[endpoint.pk]))

    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.event_type, delivery.status) == (endpoint, "webhook.test", "pending")
    assert LogEntry.objects.filter(action_flag=CHANGE).get().change_message == "Test event sent."
    page = manager_client.get(endpoint.get_absolute_url()).content.decode()
    assert "webhook.test" in page and delivery.event_id in page


def test_the_delivery_log_shows_status_code_latency_retry_and_error(manager_client, endpoint):
    later = timezone.now() + timezone.timedelta(minutes=5)
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="msg_failed",
        event_type=events.TICKET_CREATED,
        payload={},
        attempts=2,
        last_response_code=503,
        last_latency_ms=87,
        last_error="HTTP 503: <script>alert(1)</script>",
        next_attempt_at=later,
    )

    page = manager_client.get(endpoint.get_absolute_url()).content.decode()

    assert "503" in page and "87 ms" in page and "Pending" in page
    assert f'datetime="{timezone.localtime(later).isoformat()}"' in page or later.strftime("%H:%M") in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def _deliveries(endpoint, count: int) -> None:
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_id=f"msg_{n}", event_type=events.TEST, payload={"n": n})
        for n in range(count)
    )


@pytest.mark.parametrize("count", [1, 40])
def test_the_pages_run_the_same_few_queries_however_many_rows(
    manager_client, manager, endpoint, count, django_assert_max_num_queries
):
    _deliveries(endpoint, count)
    for n in range(count // 10):
        services.endpoint_create(
            by=manager, url=f"http://127.0.0.1/{n}", description="", events=[events.TEST]
        )

    with django_assert_max_num_queries(6):
        manager_client.get(reverse("webhooks:endpoint_list"))
    with django_assert_max_num_queries(6):
        response = manager_client.get(endpoint.get_absolute_url())
    assert len(response.context["deliveries"]) == min(count, 25)


def test_the_list_counts_each_endpoints_waiting_and_dead_deliveries(manager_client, manager, endpoint):
    quiet = services.endpoint_create(
        by=manager, url="http://127.0.0.1/quiet", description="", events=[events.TEST]
    )
    _deliveries(endpoint, 5)
    now = timezone.now()
    WebhookDelivery.objects.filter(event_id__in=["msg_0", "msg_1"]).update(status="dead", dead_at=now)
    WebhookDelivery.objects.filter(event_id="msg_2").update(status="sent", sent_at=now)

    rows = {row.pk: row for row in manager_client.get(reverse("webhooks:endpoint_list")).context["endpoints"]}

    assert (rows[endpoint.pk].pending_count, rows[endpoint.pk].dead_count) == (2, 2)
    assert rows[endpoint.pk].last_delivery_at == WebhookDelivery.objects.latest("created_at", "pk").created_at
    assert (rows[quiet.pk].pending_count, rows[quiet.pk].dead_count, rows[quiet.pk].last_delivery_at) == (
        0,
        0,
        None,
    )


def test_the_log_is_newest_first_and_paginated(manager_client, endpoint):
    _deliveries(endpoint, 30)

    first = manager_client.get(endpoint.get_absolute_url()).context["deliveries"]
    second = manager_client.get(endpoint.get_absolute_url() + "?page=2").context["deliveries"]

    assert [d.event_id for d in first][:2] == ["msg_29", "msg_28"]
    assert [d.event_id for d in second] == [f"msg_{n}" for n in range(4, -1, -1)]


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_text_in_the_description_and_url_is_kept_or_refused_and_shown_inert(
    manager_client, manager, hostile, private_allowed
):
    manager_client.post(
        reverse("webhooks:endpoint_create"),
        {"url": "http://127.0.0.1/hook", "description": hostile[:200], "events": [events.TICKET_CREATED]},
    )
    response = manager_client.post(
        reverse("webhooks:endpoint_create"),
        {"url": hostile, "description": "x", "events": [events.TICKET_CREATED]},
    )

    endpoint = WebhookEndpoint.objects.order_by("pk").first()
    if "\0" in hostile:
        assert endpoint is None  # the form refuses a NUL, saying so
        endpoint = services.endpoint_create(
            by=manager,
            url="http://127.0.0.1/hook",
            description=hostile.replace("\0", "")[:200],
            events=[events.TICKET_CREATED],
        )
    else:
        assert endpoint.description == hostile[:200].strip()
    assert response.status_code in (200, 302)
    for page in (
        manager_client.get(reverse("webhooks:endpoint_list")).content.decode(),
        manager_client.get(endpoint.get_absolute_url()).content.decode(),
        response.content.decode(),
    ):
        assert "<script>alert(1)</script>" not in page
        assert not re.search(r"<img src=x onerror", page)
