"""Webhooks go only over http(s), to hosts the setting allows, and never to an internal address
unless WEBHOOK_ALLOW_PRIVATE says so: checked at save (next to the URL field) and at delivery."""

import pytest
from django.urls import reverse

from webhooks import events, services
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.security import UnsafeDestination, address_is_public, destination_check, host_allowed

pytestmark = pytest.mark.django_db

INTERNAL_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://172.16.5.4/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "https://2130706433/hook",  # 127.0.0.1 as one number
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_an_internal_address_is_refused_by_default(url, settings):
    assert settings.WEBHOOK_ALLOW_PRIVATE is False

    with pytest.raises(UnsafeDestination, match="internal address"):
        destination_check(url)


def test_an_internal_address_is_allowed_when_configured(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True

    assert destination_check("http://127.0.0.1:9/x?y=1").addresses == ("127.0.0.1",)


@pytest.mark.parametrize(
    "url", ["ftp://93.184.216.34/", "file:///etc/passwd", "gopher://93.184.216.34/", "javascript:alert(1)"]
)
def test_only_http_and_https_are_allowed(url):
    with pytest.raises(UnsafeDestination, match="Only http"):
        destination_check(url)


def test_a_public_address_passes_and_is_the_one_connected_to():
    destination = destination_check("https://93.184.216.34/hooks/desk?x=1")

    assert (destination.scheme, destination.port, destination.path) == ("https", 443, "/hooks/desk?x=1")
    assert destination.addresses == ("93.184.216.34",)
    assert address_is_public("2606:4700:4700::1111")


def test_allowed_hosts_take_exact_names_and_wildcards_for_the_names_under_one(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["*.example.com", "hooks.partner.org"]

    assert host_allowed("a.example.com") and host_allowed("deep.b.EXAMPLE.com")
    assert host_allowed("hooks.partner.org")
    assert not host_allowed("example.com")  # the wildcard is for the names under it
    assert not host_allowed("evil-example.com") and not host_allowed("example.com.evil.org")
    assert not host_allowed("partner.org")
    with pytest.raises(UnsafeDestination, match="not one of the hosts"):
        destination_check("https://93.184.216.34/")


def test_allowed_hosts_empty_allows_any_public_host(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []

    assert host_allowed("anything.example.net")


def test_the_form_says_why_next_to_the_url_field(manager_client):
    response = manager_client.post(
        reverse("webhooks:endpoint_create"),
        {"url": "http://169.254.169.254/latest/", "events": [events.TICKET_CREATED]},
    )

    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()
    assert "internal address" in str(response.context["form"].errors["url"])
    assert 'id="url-errors"' in response.content.decode()


def test_a_host_that_now_resolves_inside_is_refused_at_delivery(settings, manager, receiver):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    endpoint = services.endpoint_create(by=manager, url=receiver.url, description="", events=[events.TEST])
    delivery = services.endpoint_test_send(endpoint=endpoint, by=manager)
    settings.WEBHOOK_ALLOW_PRIVATE = False  # as if the name had been pointed inside since

    services.delivery_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 1
    assert delivery.last_error.startswith("Refused:") and "internal address" in delivery.last_error
