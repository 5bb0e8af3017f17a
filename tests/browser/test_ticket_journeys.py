"""A request from submission to resolution, as the customer and the agent see it in a browser."""

import re

from playwright.sync_api import Browser, Page, expect

from tickets.models import Ticket
from tickets.services import ticket_create

from ..accounts.factories import PASSWORD, AgentFactory, CustomerFactory
from ..tickets.factories import OutOfScopeServiceFactory, ServiceFactory


def _logged_in(browser: Browser, live_server, user) -> Page:
    page = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("role-badge")).to_be_visible()
    return page


def test_a_request_from_submission_to_resolution(browser, live_server, transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ServiceFactory(name="VPN and remote access")
    customer, agent = CustomerFactory(first_name="Alice"), AgentFactory(first_name="Sam")
    upload = tmp_path / "error.txt"
    upload.write_text("Error 809")

    # The customer asks, knowing what to expect before sending.
    alice = _logged_in(browser, live_server, customer)
    alice.get_by_role("link", name="New request").first.click()
    expect(alice.get_by_role("status").filter(has_text="What you can expect")).to_contain_text(
        "A first answer by"
    )
    alice.get_by_label("What is it about?").select_option(label="VPN and remote access")
    alice.get_by_label("Summary").fill("VPN drops every hour")
    alice.get_by_label("Details").fill("Since **Monday**.")
    alice.get_by_label("How much is it stopping you?").select_option("high")
    alice.get_by_label("Attach files").set_input_files(str(upload))
    alice.get_by_role("button", name="Send to IT").click()
    expect(alice.get_by_role("alert").or_(alice.get_by_role("status")).first).to_contain_text("is with IT")
    ticket = Ticket.objects.get()
    expect(alice.get_by_role("link", name="error.txt")).to_be_visible()

    # The agent finds it unassigned, takes it and answers; an internal note stays internal.
    sam = _logged_in(browser, live_server, agent)
    sam.get_by_role("link", name="Queue", exact=True).click()
    sam.get_by_role("link", name="Unassigned").click()
    sam.get_by_role("link", name="VPN drops every hour").click()
    sam.get_by_role("button", name="Take it").click()
    expect(sam.get_by_text("It is yours.")).to_be_visible()
    sam.get_by_label(re.compile("Reply or internal note")).fill("Please try the TCP profile.")
    sam.get_by_role("button", name="Send reply to customer").click()
    sam.get_by_label(re.compile("Reply or internal note")).fill("Known issue with the guest Wi-Fi.")
    sam.get_by_role("button", name="Add internal note").click()
    expect(sam.get_by_text("Internal note added.")).to_be_visible()

    # The customer sees the reply, never the note.
    alice.goto(ticket.get_absolute_url())
    expect(alice.get_by_text("Please try the TCP profile.")).to_be_visible()
    expect(alice.get_by_text("guest Wi-Fi")).to_have_count(0)

    # The agent resolves; the customer can reopen it within the window.
    sam.get_by_label("Move to").select_option("resolved")
    sam.get_by_role("button", name="Move").click()
    expect(sam.get_by_text("Status changed.")).to_be_visible()
    alice.reload()
    expect(alice.get_by_text("Resolved", exact=True)).to_be_visible()
    alice.get_by_label("What is still wrong?").fill("It dropped again this morning.")
    alice.get_by_role("button", name="Reopen this request").click()
    expect(alice.get_by_text("Your request is open again.")).to_be_visible()


def test_an_out_of_scope_request_is_redirected_with_guidance(browser, live_server, transactional_db):
    service = ServiceFactory(name="Something else")
    OutOfScopeServiceFactory(name="Printer paper")
    customer, agent = CustomerFactory(), AgentFactory()
    ticket = ticket_create(
        customer=customer,
        title="Out of paper",
        description="Floor 3",
        service=service,
        urgency="low",
        impact="low",
    )

    sam = _logged_in(browser, live_server, agent)
    sam.goto(f"/desk/tickets/{ticket.pk}/")
    sam.get_by_text("Redirect with guidance").click()
    sam.get_by_label("Who does it instead").select_option(label="Printer paper")
    sam.get_by_label("Why did they come to IT?").select_option("did_not_know")
    sam.get_by_role("button", name="Send the guidance and resolve").click()
    expect(sam.get_by_text("resolved as redirected")).to_be_visible()

    customer_page = _logged_in(browser, live_server, customer)
    customer_page.goto(ticket.get_absolute_url())
    expect(customer_page.get_by_text("Open the Facilities order form.")).to_be_visible()
    expect(customer_page.get_by_text("Fran Facilities")).to_be_visible()


def test_choosing_something_it_does_not_do_shows_who_does_before_sending(
    browser, live_server, transactional_db
):
    OutOfScopeServiceFactory(name="Printer paper")
    customer = CustomerFactory()

    page = _logged_in(browser, live_server, customer)
    page.goto("/requests/new/")
    page.get_by_label("What is it about?").select_option(label="Printer paper")

    expect(page.get_by_text("Facilities looks after this, not IT")).to_be_visible()
    expect(page.get_by_role("link", name="https://intranet.example/facilities/order")).to_be_visible()
