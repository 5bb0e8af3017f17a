"""Every role's main pages run under the site-wide Content-Security-Policy without a violation:
no inline script, style or eval anywhere (the console reports each one Chromium refuses)."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from ..accounts.factories import PASSWORD, AgentFactory, CustomerFactory, ManagerFactory
from ..notifications.factories import OutboundEmailFactory
from ..tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _watch_for_violations(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(str(error)))
    return violations


def _log_in(page: Page, username: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("role-badge")).to_be_visible()


def _visit_all(page: Page, urls: list[str]) -> None:
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        assert "no-store" in response.headers["cache-control"], url
        page.wait_for_load_state("networkidle")


def test_the_login_page_runs_without_a_violation(page: Page):
    violations = _watch_for_violations(page)

    response = page.goto(reverse("accounts:login"))

    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert violations == []


def _customer_pages(ticket) -> list[str]:
    return [
        reverse("core:home"),
        reverse("tickets:catalog"),
        reverse("tickets:submit"),
        reverse("tickets:my_requests"),
        reverse("tickets:detail", args=[ticket.pk]),
        reverse("notifications:list"),
    ]


def _agent_pages(ticket) -> list[str]:
    return [
        reverse("core:home"),
        reverse("tickets:queue"),
        reverse("tickets:agent_detail", args=[ticket.pk]),
        reverse("customers:detail", args=[ticket.customer.pk]),
        reverse("reports:agent_card_mine"),
        reverse("surveys:grades_mine"),
    ]


def _manager_pages(ticket) -> list[str]:
    # The e-mail preview's inline styles are allowed on that page alone.
    message = OutboundEmailFactory(body_html='<p style="color:#b91c1c">Reset your password</p>')
    return [
        reverse("core:home"),
        reverse("reports:dashboard"),
        reverse("reports:agents"),
        reverse("surveys:recovery_queue"),
        reverse("tickets:process_register"),
        reverse("notifications:dev_mail_list"),
        message.get_absolute_url(),
    ]


@pytest.mark.parametrize(
    ("factory", "pages"),
    [(CustomerFactory, _customer_pages), (AgentFactory, _agent_pages), (ManagerFactory, _manager_pages)],
)
def test_each_roles_main_pages_run_without_a_violation(page: Page, factory, pages):
    user = factory()
    ticket = TicketFactory(**({"customer": user} if factory is CustomerFactory else {}))
    violations = _watch_for_violations(page)

    _log_in(page, user.username)
    _visit_all(page, pages(ticket))

    assert violations == []


def test_the_presence_ping_says_a_reply_is_being_written_without_eval(page: Page):
    agent, ticket = AgentFactory(), TicketFactory()
    violations = _watch_for_violations(page)
    _log_in(page, agent.username)
    page.goto(reverse("tickets:agent_detail", args=[ticket.pk]))

    with page.expect_request(lambda request: "presence" in request.url) as ping:
        page.locator("#id_body").fill("Working on it")

    assert "replying=true" in (ping.value.post_data or "")
    assert violations == []
