"""The API's pages in a browser: its documentation (Swagger UI from our own static files, under
the site's CSP, nothing fetched from another site) and the API tokens page, on a desk and a phone."""

import os
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from ..accounts.factories import PASSWORD, CustomerFactory
from .test_table_layouts import OUT_OF_VIEW

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _watch(page: Page, live_server) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    here = urlparse(live_server.url).netloc
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if urlparse(request.url).scheme in ("http", "https") and urlparse(request.url).netloc != here
            else None
        ),
    )
    return problems, elsewhere


def test_the_api_docs_render_from_our_own_files_under_the_csp(page: Page, live_server):
    problems, elsewhere = _watch(page, live_server)

    response = page.goto(reverse("api:docs"))

    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("IT Service Desk API")
    expect(page.get_by_text("/api/v1/tickets/{id}/messages/").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    _shot(page, "api-docs-1280")
    assert problems == []
    assert elsewhere == []


def _log_in(page: Page, username: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_a_customer_makes_sees_once_and_revokes_a_token(request, live_server, viewport):
    page: Page = request.getfixturevalue(viewport)
    problems, _ = _watch(page, live_server)
    CustomerFactory(username="alice")
    _log_in(page, "alice")

    page.goto(reverse("api_tokens:list"))
    page.get_by_label("Name").fill("Intranet “my requests” widget, which is a long name indeed " + "x" * 60)
    page.get_by_label("Expires after (days)").fill("90")
    page.get_by_role("button", name="Make the token").click()

    shown = page.get_by_label("Token", exact=True)
    assert shown.input_value().startswith("sd_")
    width = "1280" if viewport == "page" else "390"
    _shot(page, f"api-tokens-{width}")
    assert page.evaluate(OUT_OF_VIEW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.reload()  # neither a second token nor the secret again
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Revoke Intranet")).to_have_count(1)

    page.get_by_role("button", name="Revoke Intranet").click()
    expect(page.get_by_text("no longer works")).to_be_visible()
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
    expect(page.get_by_text("Revoked")).to_be_visible()
    assert problems == []
