"""Every page sends the site-wide Content-Security-Policy; signed-in pages are never stored."""

import pytest
from django.urls import reverse

from ..notifications.factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_pages_send_a_policy_without_inline_scripts(client, customer_client, manager_client):
    for response in (
        client.get(reverse("accounts:login")),
        customer_client.get(reverse("core:home")),
        manager_client.get(reverse("reports:dashboard")),
    ):
        assert response.status_code == 200
        directives = _directives(response)
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]


def test_only_the_dev_mailbox_preview_allows_inline_styles_for_the_email(manager_client):
    response = manager_client.get(OutboundEmailFactory().get_absolute_url())

    directives = _directives(response)
    assert "'unsafe-inline'" in directives["style-src"]
    assert directives["script-src"] == ["'self'"]


def test_signed_in_pages_are_not_stored(customer_client, agent_client):
    for response in (
        customer_client.get(reverse("tickets:my_requests")),
        agent_client.get(reverse("tickets:queue")),
    ):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_base_page_carries_no_inline_script_or_eval(customer_client):
    page = customer_client.get(reverse("core:home")).content.decode()

    assert "<script>" not in page
    assert "hx-on" not in page
    assert "js:" not in page
    assert '"includeIndicatorStyles": false' in page
