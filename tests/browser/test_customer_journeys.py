"""A manager follows a customer from a ticket to their page and settles a suggestion there."""

from playwright.sync_api import expect

from customers.models import CustomerProfile, RepeatOffenderSuggestion

from ..accounts.factories import CustomerFactory, ManagerFactory
from ..tickets.factories import TicketFactory
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
