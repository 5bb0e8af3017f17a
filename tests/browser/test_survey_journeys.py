"""A customer grades a request from the e-mailed link; a manager recovers the unhappy one."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import OutboundEmail
from surveys.services import surveys_due_send

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..surveys.factories import resolved_ticket
from .test_ticket_journeys import _logged_in


def test_customer_grades_from_the_email_and_a_manager_recovers_it(
    browser, live_server, transactional_db, settings
):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    customer = CustomerFactory(first_name="Dana", last_name="Kowalski")
    ticket = resolved_ticket(customer=customer, agent=AgentFactory(first_name="Sam"), title="Mailbox full")
    surveys_due_send(now=timezone.now())
    invitation = OutboundEmail.objects.get(template="surveys/invitation")
    link = re.search(r"https?://\S+/surveys/answer/\S+/", invitation.body_text).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    # Not signed in: the link is enough. The grade picked in the e-mail is only pre-selected.
    page = browser.new_context(base_url=live_server.url).new_page()
    page.goto(f"/{path}?grade=D")
    expect(page.get_by_role("heading", name="How did IT do?")).to_be_visible()
    expect(page.get_by_label("D — annoyed or upset")).to_be_checked()
    # The grades are a radio group: the keyboard moves through them.
    page.get_by_label("D — annoyed or upset").focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("F — annoyed, and with no choice but to put up with it")).to_be_checked()
    page.get_by_text("A few more questions (optional)").click()
    page.get_by_role("group", name=re.compile("Empathy")).get_by_text("1", exact=True).click()
    page.get_by_label("Someone seemed not to care about my problem").check()
    page.get_by_label("Anything you would like to tell us?").fill("I was told it was my own fault.")
    page.get_by_role("button", name="Send my grade").click()

    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("An IT manager will get in touch")).to_be_visible()

    manager = _logged_in(browser, live_server, ManagerFactory())
    manager.get_by_role("link", name="1 service recovery case").click()
    manager.get_by_role("link", name=re.compile(ticket.reference)).click()
    expect(manager.get_by_text("I was told it was my own fault.")).to_be_visible()
    manager.get_by_label("How you reached them").select_option("phone")
    manager.get_by_label("What was said").fill("Apologised and cleared the mailbox together.")
    manager.get_by_role("button", name="Record the contact").click()
    expect(manager.get_by_text("Contact recorded.")).to_be_visible()
    manager.get_by_label("Recovered: the customer is satisfied now").check()
    manager.get_by_role("button", name="Close the case").click()
    expect(manager.get_by_text("Case closed.")).to_be_visible()
    expect(manager.get_by_text("Recovered: the customer is satisfied now", exact=True)).to_be_visible()
