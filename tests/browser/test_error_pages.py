"""What a person sees when a page is not for them: the site's own page with a way back."""

import re

from playwright.sync_api import expect

from ..accounts.factories import CustomerFactory
from .test_ticket_journeys import _logged_in


def test_a_customer_opening_the_desk_sees_the_branded_403_and_goes_home(
    browser, live_server, transactional_db
):
    page = _logged_in(browser, live_server, CustomerFactory())

    answer = page.goto("/desk/")

    assert answer.status == 403
    expect(page.get_by_role("heading", name="This page is not for your account")).to_be_visible()
    page.get_by_role("link", name="Back to the home page").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("role-badge")).to_be_visible()
