"""Choosing a service another team handles: the hand-off takes the place of IT's promise."""

from playwright.sync_api import Page, expect

from ..accounts.factories import PASSWORD, CustomerFactory
from ..tickets.factories import OutOfScopeServiceFactory, ServiceFactory


def test_the_hand_off_replaces_the_promise_and_comes_back_off(page: Page, transactional_db):
    ServiceFactory(name="Laptops and desktops")
    OutOfScopeServiceFactory(name="Printer paper", contact_email="fran@example.com")
    customer = CustomerFactory()
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(customer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/requests/new/")
    box = page.locator("#sla-expectation")
    expect(box).to_contain_text("What you can expect")
    group = page.locator('#id_service optgroup[label="Handled by other teams"]')
    expect(group.locator("option")).to_have_text(["Printer paper"])

    page.get_by_label("What is it about?").select_option(label="Printer paper")

    expect(box).to_contain_text("Facilities looks after this, not IT")
    expect(box).not_to_contain_text("What you can expect")
    expect(box.get_by_role("link", name="+44 20 7946 0000")).to_have_attribute("href", "tel:+442079460000")
    email = box.get_by_role("link", name="fran@example.com")
    expect(email).to_have_attribute("href", "mailto:fran@example.com")

    page.get_by_label("What is it about?").select_option(label="Laptops and desktops")

    expect(box).to_contain_text("What you can expect")
