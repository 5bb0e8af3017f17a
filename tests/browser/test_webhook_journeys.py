"""A manager adds a webhook endpoint, reveals its secret, sends a test event that a real worker
delivers to a real receiver, and reads the delivery log; at desktop and phone width, the columns
in view. SCREENSHOTS_DIR set: each page is saved there too, to look at."""

import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from webhooks import events
from webhooks.models import WebhookDelivery, WebhookEndpoint

from ..accounts.factories import ManagerFactory
from ..waiting import wait_until
from ..webhooks.conftest import receiver  # noqa: F401 (a fixture)
from .test_table_layouts import OUT_OF_VIEW, WIDER_THAN_THE_WINDOW, _log_in


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


# As WIDER_THAN_THE_WINDOW, leaving out a stacked table's column names (clipped to one pixel on a
# phone, for screen readers only).
WIDER_AND_SHOWN = WIDER_THAN_THE_WINDOW.replace(
    ".filter(", ".filter((element) => !element.closest('.table-stack thead'))\n  .filter(", 1
)


def _in_view(page: Page) -> None:
    assert page.evaluate(OUT_OF_VIEW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert page.evaluate(WIDER_AND_SHOWN) == []


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manager_adds_an_endpoint_tests_it_and_reads_the_log(
    browser,
    live_server,
    celery_worker,
    receiver,  # noqa: F811 (the fixture imported above)
    settings,
    width,
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    manager = ManagerFactory()
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    _log_in(page, manager.username)

    page.goto("/desk/webhooks/")
    _shot(page, "webhooks-empty-list")
    page.get_by_role("link", name="Add an endpoint").click()
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Description").fill("Status page for the whole company")
    page.get_by_label("Ticket created").check()
    page.get_by_label("SLA breached").check()
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.get_by_text("an internal address")).to_be_visible()  # loopback refused by default
    _shot(page, "webhooks-form-refused")
    _in_view(page)

    settings.WEBHOOK_ALLOW_PRIVATE = True
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.get_by_text("Endpoint added")).to_be_visible()
    endpoint = WebhookEndpoint.objects.get()
    page.get_by_text("Show the secret").click()
    expect(page.get_by_role("textbox", name="Signing secret")).to_have_value(endpoint.secret)
    page.get_by_role("button", name="Send a test event").click()
    wait_until(lambda: WebhookDelivery.objects.filter(status="sent").exists(), message="the test event")
    WebhookDelivery.objects.create(  # how a failing delivery shows beside it
        endpoint=endpoint,
        event_id="msg_" + "f" * 26,
        event_type=events.TICKET_SLA_BREACHED,
        payload={},
        attempts=3,
        last_response_code=503,
        last_latency_ms=5004,
        last_error="HTTP 503: Service Unavailable; the upstream gateway did not answer in time",
        next_attempt_at=timezone.now() + timezone.timedelta(minutes=4),
    )
    page.reload()
    page.get_by_text("Show the secret").click()
    expect(page.locator('td[data-label="Response"]').filter(has_text="200")).to_be_visible()
    expect(page.locator('td[data-label="Status"]').filter(has_text="Sent")).to_be_visible()
    _shot(page, "webhooks-endpoint")
    _in_view(page)
    assert len(receiver.requests) == 1

    page.goto("/desk/webhooks/")
    expect(page.get_by_role("link", name=receiver.url)).to_be_visible()
    _shot(page, "webhooks-list")
    _in_view(page)
    page.get_by_role("link", name=receiver.url).click()
    page.get_by_role("link", name="Change").click()
    expect(page.get_by_label("SLA breached")).to_be_checked()
    _shot(page, "webhooks-form")
    _in_view(page)
    context.close()
