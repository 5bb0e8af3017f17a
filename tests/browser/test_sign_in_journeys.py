import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from ..accounts.factories import PASSWORD, AgentFactory, CustomerFactory, ManagerFactory
from ..waiting import wait_until

HOMES = [
    (CustomerFactory, "Customer", "How can IT help you today?"),
    (AgentFactory, "Agent", "Agent desk"),
    (ManagerFactory, "Manager", "Service overview"),
]


def _log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize(("factory", "role", "heading"), HOMES)
def test_each_role_logs_in_sees_its_home_and_logs_out(page: Page, celery_worker, factory, role, heading):
    user = factory()

    _log_in(page, user.username)

    expect(page.get_by_text(heading)).to_be_visible()
    expect(page.get_by_test_id("role-badge")).to_have_text(role)
    page.get_by_role("button", name=re.compile(user.first_name)).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_wrong_password_shows_the_error_and_keeps_the_username(page: Page, transactional_db):
    customer = CustomerFactory()

    _log_in(page, customer.username, "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username or e-mail and password"
    )
    expect(page.get_by_label("Username or e-mail")).to_have_value(customer.username)


def test_forgotten_password_is_reset_from_the_emailed_link(page: Page, celery_worker, live_server, settings):
    settings.SITE_URL = live_server.url
    customer = CustomerFactory()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("E-mail address").fill(customer.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    wait_until(lambda: len(mail.outbox) == 1, message="the reset e-mail to be delivered by the worker")
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_label("New password*", exact=True).fill("a-fresh-start-2026")
    page.get_by_label("New password confirmation").fill("a-fresh-start-2026")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()

    _log_in(page, customer.email, "a-fresh-start-2026")
    expect(page.get_by_test_id("role-badge")).to_have_text("Customer")


def test_keyboard_user_skips_to_content_first(page: Page, transactional_db):
    _log_in(page, CustomerFactory().username)
    expect(page.get_by_text("How can IT help you today?")).to_be_visible()

    page.keyboard.press("Tab")

    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_phone_layout_folds_the_menu_behind_a_toggle(phone_page: Page, transactional_db):
    manager = ManagerFactory()
    _log_in(phone_page, manager.username)

    log_out = phone_page.get_by_role("button", name="Log out")
    expect(log_out).to_be_hidden()
    phone_page.get_by_role("button", name="Toggle navigation").click()
    # Bootstrap adds "show" once the menu has finished unfolding; a click during it can be lost.
    expect(phone_page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    phone_page.get_by_role("button", name=re.compile(manager.first_name)).click()

    expect(log_out).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize(
    "factory, width",
    [(ManagerFactory, 1200), (ManagerFactory, 1199), (CustomerFactory, 992), (CustomerFactory, 991)],
)
def test_the_menu_bar_never_makes_the_page_scroll_sideways(
    browser, live_server, transactional_db, factory, width
):
    """Staff get the whole bar from 1200 px and customers from 992 px; below, a toggle."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 700})
    page = context.new_page()
    user = factory(first_name="Maximilian", last_name="Featherstonehaugh-Smythe")
    _log_in(page, user.username)

    expect(page.get_by_role("button", name="Toggle navigation")).to_be_visible(
        visible=width < (1200 if factory is ManagerFactory else 992)
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
