"""Lists keep their columns: a long unbroken title wraps in its cell, and on a phone the lists
that would scroll sideways show each row as a stack of its cells."""

from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect

from inbound.models import InboundEmail
from inbound.services import inbound_process, inbound_store
from surveys.services import survey_answer

from ..accounts.factories import PASSWORD, AgentFactory, CustomerFactory, ManagerFactory
from ..surveys.factories import resolved_ticket
from ..tickets.factories import TicketFactory

LONG_TITLE = "https://intranet.example/" + "x" * 175  # as long as a title may be (200), not one space

# Every cell of every table in the page's main part, and every sideways-scrolling table box,
# that does not fit in the window.
OUT_OF_VIEW = """() => {
  const out = [];
  for (const cell of document.querySelectorAll("main table td, main table th")) {
    const head = cell.closest("thead");
    if (head && head.getBoundingClientRect().width <= 1) continue;  // column names for screen readers only
    const box = cell.getBoundingClientRect();
    if (box.width && (box.left < -0.5 || box.right > window.innerWidth + 0.5)) {
      out.push(cell.textContent.trim().slice(0, 40) || cell.outerHTML.slice(0, 60));
    }
  }
  for (const box of document.querySelectorAll("main .table-responsive")) {
    if (box.scrollWidth > box.clientWidth + 1) out.push("a table scrolls sideways");
  }
  return out;
}"""


# Every element of the page's main part that reaches past the window's right edge.
WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll("main *")]
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map((element) => element.tagName + " " + element.textContent.trim().slice(0, 40))"""


def _log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _assert_columns_in_view(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("link", name=LONG_TITLE[:40], exact=False).first).to_be_visible()
    assert page.evaluate(OUT_OF_VIEW) == [], url
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], url


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_title_keeps_my_requests_in_view(browser, live_server, transactional_db, width):
    customer = CustomerFactory()
    TicketFactory(customer=customer, title=LONG_TITLE)
    TicketFactory(customer=customer, title="Printer jams")
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    _log_in(page, customer.username)

    _assert_columns_in_view(page, "/requests/")
    expect(page.get_by_text("What to expect").first).to_be_visible()
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_title_keeps_the_desk_lists_in_view(browser, live_server, transactional_db, width):
    manager = ManagerFactory()
    ticket = resolved_ticket(title=LONG_TITLE)
    survey_answer(survey=ticket.surveys.get(), answers={"grade": "F"})
    TicketFactory(title=LONG_TITLE)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    _log_in(page, manager.username)

    _assert_columns_in_view(page, "/desk/")
    _assert_columns_in_view(page, "/desk/recovery/")
    expect(page.get_by_text("Nobody yet")).to_be_visible()
    if width > 576:  # the drill-down's six columns scroll sideways on a phone, title or not
        _assert_columns_in_view(page, "/desk/reports/tickets/?measure=created")
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_subject_and_sender_keep_the_incoming_mail_in_view(
    browser, live_server, transactional_db, width
):
    """A stranger's e-mail (refused) with a subject and an address that are one long word each."""
    message = EmailMessage()
    message["From"] = "x" * 60 + "@" + "very-long-subdomain." * 4 + "example"
    message["To"] = "helpdesk@example.com"
    message["Subject"] = LONG_TITLE
    message["Message-ID"] = "<long@example.com>"
    message.set_content("x")
    inbound = inbound_process(inbound_id=inbound_store(raw=bytes(message), via="pipe")[0].pk)
    assert inbound.status == InboundEmail.Status.REFUSED and inbound.subject == LONG_TITLE
    agent = AgentFactory()
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    _log_in(page, agent.username)

    _assert_columns_in_view(page, "/desk/mail/")
    expect(page.get_by_text(message["From"])).to_be_visible()
    page.get_by_role("link", name=LONG_TITLE).click()
    page.get_by_text("The message as received").click()  # the raw message, opened
    expect(page.get_by_role("heading", name=LONG_TITLE)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(WIDER_THAN_THE_WINDOW) == []
    context.close()
