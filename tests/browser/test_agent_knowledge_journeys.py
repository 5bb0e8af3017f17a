"""An agent answers with the knowledge base: sees the ticket's suggested articles, inserts one's
link into the reply from the keyboard (announced), is stopped from sending a staff-only one to the
customer, sends the reply (the article is counted as used) and flags documentation missing, with
the error shown next to the field first. SCREENSHOTS_DIR set: the panel is saved there too."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from knowledge.models import Article, ArticleUse, DocumentationFlag

from ..accounts.factories import AgentFactory
from ..knowledge.factories import ArticleFactory
from ..tickets.factories import ServiceFactory, TicketFactory
from .test_knowledge_journeys import _fits, _shot
from .test_ticket_journeys import _logged_in

REPLY = re.compile("Reply or internal note")


@pytest.mark.parametrize("width", [1280])
def test_an_agent_inserts_a_suggested_article_and_flags_what_is_missing(
    browser, live_server, transactional_db, width
):
    vpn = ServiceFactory(name="VPN and remote access")
    ticket = TicketFactory(service=vpn, title="VPN drops every few minutes")
    public = ArticleFactory(title="Connect to the VPN from home", summary="Sign in once")
    runbook = ArticleFactory(title="VPN gateway runbook", audience=Article.Audience.STAFF)
    for article in (public, runbook):
        article.services.set([vpn])
    sam = _logged_in(browser, live_server, AgentFactory(first_name="Sam"))
    sam.set_viewport_size({"width": width, "height": 900})
    sam.goto(f"/desk/tickets/{ticket.pk}/")
    panel = sam.locator("#ticket-articles")
    expect(panel.get_by_role("link", name="Connect to the VPN from home")).to_be_visible()
    expect(panel.get_by_text("Staff only", exact=True)).to_be_visible()
    _fits(sam)
    _shot(sam, "ticket-knowledge-panel")

    # The staff-only article's link: the public send buttons say why they are off.
    panel.locator("li", has_text="VPN gateway runbook").get_by_role("button", name="Insert link").click()
    send = sam.get_by_role("button", name="Send reply to customer")
    expect(send).to_be_disabled()
    expect(sam.get_by_text("This reply links a staff-only article")).to_be_visible()
    sam.get_by_label(REPLY).fill("Please reconnect. ")
    expect(send).to_be_enabled()

    # The public one, from the keyboard, at the cursor, announced.
    panel.locator("li", has_text="Connect to the VPN").get_by_role("button", name="Insert link").focus()
    sam.keyboard.press("Enter")
    reply = sam.get_by_label(REPLY)
    expect(reply).to_be_focused()
    link = f"[Connect to the VPN from home]({settings.SITE_URL}/help/{public.pk}/)"  # as e-mails link
    expect(reply).to_have_value(f"Please reconnect. {link}")
    announced = "Link to “Connect to the VPN from home” inserted into the reply."
    expect(sam.locator("#kb-announce")).to_have_text(announced)
    send.click()
    expect(sam.get_by_text("Reply sent to the customer.")).to_be_visible()
    assert ArticleUse.objects.filter(article=public, message__ticket=ticket).count() == 1

    # Documentation missing: a reason is required, and the error sits next to the field.
    sam.locator("#ticket-articles").get_by_text("Documentation missing or wrong?").click()
    sam.get_by_label("Missing for VPN and remote access").check()
    sam.get_by_role("button", name="Flag it").click()
    expect(sam.locator("#kb-flag-form .invalid-feedback")).to_have_text("This field is required.")
    sam.get_by_label("Why").fill("Nothing on the new GlobalProtect shield icon")
    sam.get_by_role("button", name="Flag it").click()
    expect(sam.get_by_text("Flag recorded. A draft")).to_be_visible()
    flag = DocumentationFlag.objects.get()
    assert (flag.kind, flag.service, flag.draft.status) == ("missing", vpn, "draft")
    _fits(sam)
