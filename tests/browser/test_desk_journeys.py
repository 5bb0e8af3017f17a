"""The agent's ticket page in a browser: a refused action is seen where the agent is looking,
the address stays the ticket's and nothing typed is lost; one click to reply and move it on."""

import re

from playwright.sync_api import Page, expect

from customers.models import CustomerCategory, CustomerProfile
from tickets.models import Ticket

from ..accounts.factories import PASSWORD, AgentFactory, CustomerFactory
from ..tickets.factories import OutOfScopeServiceFactory
from ..tickets.test_desk_handling import _new_ticket
from .test_ticket_journeys import _logged_in

REPLY = re.compile("Reply or internal note")


def _repeat_offender():
    customer = CustomerFactory(first_name="Ben")
    CustomerProfile.objects.create(user=customer, category=CustomerCategory.REPEAT_OFFENDER)
    return customer


def _in_view_and_focused_within(page: Page, locator, form_id: str) -> None:
    expect(locator).to_be_visible()
    expect(locator).to_be_in_viewport()
    assert page.evaluate(f"document.getElementById('{form_id}').contains(document.activeElement)")


def test_a_redirect_without_a_process_is_refused_in_place(browser, live_server, transactional_db):
    OutOfScopeServiceFactory(name="Printer paper")
    ticket = _new_ticket(CustomerFactory())
    url = f"/desk/tickets/{ticket.pk}/"

    sam = _logged_in(browser, live_server, AgentFactory())
    sam.goto(url)
    sam.get_by_text("Redirect with guidance").click()
    sam.get_by_label("Why did they come to IT?").select_option("did_not_know")
    sam.get_by_label("A word of your own (optional)").fill("Use the order form, it takes a minute.")
    sam.get_by_role("button", name="Send the guidance and resolve").click()

    error = sam.locator("#redirect-form .invalid-feedback").first
    expect(error).to_contain_text("This field is required")
    _in_view_and_focused_within(sam, error, "redirect-form")
    assert sam.url.endswith(url)
    expect(sam.get_by_label("A word of your own (optional)")).to_have_value(
        "Use the order form, it takes a minute."
    )
    expect(sam.get_by_label("Why did they come to IT?")).to_have_value("did_not_know")

    # Put right, it goes through.
    sam.get_by_label("Who does it instead").select_option(label="Printer paper")
    sam.get_by_role("button", name="Send the guidance and resolve").click()
    expect(sam.get_by_text("resolved as redirected")).to_be_visible()
    assert sam.url.endswith(url)


def test_a_repeat_offender_resolved_without_a_root_cause_is_refused_in_place(
    browser, live_server, transactional_db
):
    ticket = _new_ticket(_repeat_offender(), "Printer paper again")
    url = f"/desk/tickets/{ticket.pk}/"

    sam = _logged_in(browser, live_server, AgentFactory())
    sam.goto(url)
    expect(sam.get_by_label("Move to")).to_have_value("")  # a neutral start
    sam.get_by_label("Move to").select_option("resolved")
    sam.get_by_role("button", name="Move").click()

    error = sam.locator("#status-form [role=alert]")
    expect(error).to_contain_text("record the root cause before resolving")
    _in_view_and_focused_within(sam, error, "status-form")
    assert sam.url.endswith(url)
    expect(sam.get_by_label("Move to")).to_have_value("resolved")

    # The same refusal from "Send and resolve" keeps the reply, unsent.
    sam.get_by_label(REPLY).fill("Please use the order form next time.")
    sam.get_by_role("button", name="Send and resolve").click()
    # The reply is a plain form: the page comes back with the summary on top, focused, linking
    # to the form, at the ticket's own address.
    summary = sam.locator("#error-summary")
    expect(summary).to_contain_text("record the root cause before resolving")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#reply-form")
    expect(sam.get_by_label(REPLY)).to_have_value("Please use the order form next time.")
    assert sam.url.endswith(url)
    assert not ticket.messages.exists()

    # With the root cause recorded, one click sends and resolves.
    sam.get_by_label("Root cause").select_option("bypassed")
    sam.get_by_role("button", name="Record").click()
    expect(sam.get_by_text("Root cause recorded.")).to_be_visible()
    sam.get_by_label(REPLY).fill("Please use the order form next time.")
    sam.get_by_role("button", name="Send and resolve").click()
    expect(sam.get_by_text("the request is now resolved")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    expect(sam.get_by_role("button", name="Take it")).to_have_count(0)


def test_send_and_set_pending_in_one_click_and_the_agent_has_it(browser, live_server, transactional_db):
    ticket = _new_ticket(CustomerFactory(), "VPN drops")
    agent = AgentFactory(first_name="Sam", last_name="Agent")

    sam = _logged_in(browser, live_server, agent)
    sam.goto(f"/desk/tickets/{ticket.pk}/")
    expect(sam.get_by_text("Nobody yet")).to_be_visible()
    sam.get_by_label(REPLY).fill("Which version of the client do you have?")
    sam.get_by_role("button", name="Send and set pending").click()

    expect(sam.get_by_text("the request is now pending customer")).to_be_visible()
    expect(sam.get_by_label("Assignee")).to_have_value(str(agent.pk))
    expect(sam.get_by_text("Nobody yet")).to_have_count(0)
    expect(sam.get_by_role("button", name="Take it")).to_have_count(0)


def test_without_javascript_the_errors_are_summarised_at_the_top(browser, live_server, transactional_db):
    ticket = _new_ticket(_repeat_offender())
    agent = AgentFactory()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(agent.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"/desk/tickets/{ticket.pk}/")
    page.get_by_label("Move to").select_option("resolved")
    page.get_by_role("button", name="Move").click()

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("record the root cause before resolving")
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#status-form")
    context.close()
