"""A manager follows a customer from a ticket to their page and settles a suggestion there."""

from playwright.sync_api import expect

from customers.models import CustomerProfile, RepeatOffenderSuggestion

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..tickets.factories import OutOfScopeServiceFactory, TicketFactory
from .test_ticket_journeys import _logged_in


def test_manager_confirms_a_repeat_offender_suggestion_from_the_customers_page(
    browser, live_server, transactional_db
):
    customer = CustomerFactory(first_name="Ben", last_name="Hartley")
    ticket = TicketFactory(customer=customer, title="Printer paper again")
    profile = CustomerProfile.objects.create(user=customer)
    RepeatOffenderSuggestion.objects.create(
        profile=profile, bypass_count=3, window_days=90, created_at=ticket.created_at
    )

    page = _logged_in(browser, live_server, ManagerFactory())
    page.goto(f"/desk/tickets/{ticket.pk}/")
    page.get_by_role("link", name="Ben Hartley").click()
    expect(page.get_by_role("heading", name="Suggested: repeat offender")).to_be_visible()
    page.get_by_label("Decision").select_option("confirm")
    page.locator("#id_reason").first.fill("Shown the form three times; talking to his manager.")
    page.get_by_role("button", name="Record the decision").click()

    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.get_by_text("General → Repeat offender")).to_be_visible()
    expect(page.get_by_text("talking to his manager")).to_be_visible()


def test_agent_teaches_a_general_customer_the_process_from_the_playbook(
    browser, live_server, transactional_db
):
    customer = CustomerFactory()
    ticket = TicketFactory(customer=customer, title="Can IT order my printer paper?")
    OutOfScopeServiceFactory(name="Printer paper")

    page = _logged_in(browser, live_server, AgentFactory())
    page.goto(f"/desk/tickets/{ticket.pk}/")
    expect(page.get_by_role("heading", name="Playbook: general customer")).to_be_visible()
    page.get_by_text("Teach the process", exact=True).click()
    page.get_by_label("The official process").select_option(label="Printer paper")
    page.get_by_label("I called the contact for the customer").check()
    page.get_by_role("button", name="Send the process").click()

    expect(page.get_by_text("The customer has the process, step by step.")).to_be_visible()
    expect(page.get_by_text("contact called for the customer")).to_be_visible()
    customer_page = _logged_in(browser, live_server, customer)
    customer_page.goto(ticket.get_absolute_url())
    expect(customer_page.get_by_text("Open the Facilities order form.")).to_be_visible()
