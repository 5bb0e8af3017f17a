"""An agent writes and publishes an article in the desk; a customer finds it in Help by searching;
a customer typing a new request is offered an article that solves it and sends nothing; at desktop
and phone width, nothing wider than the window. SCREENSHOTS_DIR set: each page is
saved there too, to look at."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from devkit.demo.knowledge import ARTICLES
from knowledge.models import Article, Deflection
from knowledge.services import ArticleFields, article_save
from tickets.models import Ticket

from ..accounts.factories import AgentFactory, CustomerFactory
from ..tickets.factories import ServiceFactory
from .test_table_layouts import _log_in


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agent_publishes_an_article_and_a_customer_finds_it_in_help(
    browser, live_server, transactional_db, width
):
    ServiceFactory(name="VPN and remote access", slug="vpn")
    agent, customer = AgentFactory(first_name="Priya"), CustomerFactory()
    viewport = {"width": width, "height": 900}

    desk = browser.new_context(base_url=live_server.url, viewport=viewport).new_page()
    _log_in(desk, agent.username)
    desk.goto("/desk/knowledge/")
    desk.get_by_role("link", name="Write an article").click()
    desk.get_by_label("Title").fill("Connect to the VPN from a hotel")
    desk.get_by_label("Summary").fill("Accept the hotel's Wi-Fi terms first, then connect.")
    desk.get_by_label("Body").fill("1. Open any website and accept the terms.\n2. Click **Connect**.")
    desk.get_by_label("Audience").select_option("everyone")
    desk.get_by_label("Status").select_option("published")
    desk.get_by_label("VPN and remote access").check()
    desk.get_by_label("Tags").fill("vpn, travel")
    desk.get_by_label("What changed").fill("First version")
    _shot(desk, "knowledge-form")
    desk.get_by_role("button", name="Save").click()

    expect(desk.get_by_role("heading", name="Connect to the VPN from a hotel")).to_be_visible()
    expect(desk.get_by_text("Article saved as version 1.")).to_be_visible()
    _fits(desk)
    _shot(desk, "knowledge-article")
    desk.get_by_role("link", name="History").click()
    expect(desk.get_by_role("cell", name="First version")).to_be_visible()
    _shot(desk, "knowledge-history")

    help_page = browser.new_context(base_url=live_server.url, viewport=viewport).new_page()
    _log_in(help_page, customer.username)
    help_page.goto("/help/")  # the portal links it (tests/knowledge/test_help_pages.py)
    help_page.get_by_label("Search articles").fill("hotels")
    help_page.get_by_role("button", name="Search").click()
    help_page.get_by_role("link", name="Connect to the VPN from a hotel").click()

    expect(help_page.get_by_role("heading", name="Connect to the VPN from a hotel")).to_be_visible()
    expect(help_page.locator("strong", has_text="Connect")).to_be_visible()  # Markdown, rendered
    _fits(help_page)
    _shot(help_page, "help-article")
    help_page.goto("/help/")
    _fits(help_page)
    _shot(help_page, "help-list")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_customer_typing_a_request_finds_the_answer_and_sends_nothing(
    browser, live_server, transactional_db, width
):
    printers = ServiceFactory(name="Printer faults", slug="printer-faults")
    demo = next(article for article in ARTICLES if article.title == "Print from your laptop and fix a jam")
    article_save(
        article=None,
        by=AgentFactory(),
        fields=ArticleFields(
            title=demo.title,
            summary=demo.summary,
            body=demo.body,
            kind=Article.Kind.ARTICLE,
            audience=Article.Audience.EVERYONE,
            status=Article.Status.PUBLISHED,
            services=[printers],
            tags=list(demo.tags),
            owner=None,
            review_by=None,
        ),
    )
    alice = CustomerFactory(username="alice", first_name="Alice")
    page = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900}).new_page()
    _log_in(page, alice.username)

    page.goto("/requests/new/")
    page.get_by_label("What is it about?").select_option(label="Printer faults")
    page.get_by_label("Summary").press_sequentially("Printer keeps jamm", delay=30)
    suggestions = page.locator("#article-suggestions")
    expect(suggestions.get_by_role("link", name=demo.title)).to_be_visible()
    _fits(page)
    _shot(page, "submit-suggestions")
    suggestions.get_by_role("button", name=re.compile(f"^This solved it.*{demo.title}$")).click()

    expect(page.get_by_role("heading", name="Glad that helped")).to_be_visible()
    expect(page.get_by_text("No request was sent to IT.")).to_be_visible()
    _shot(page, "deflected")
    assert not Ticket.objects.exists()
    deflection = Deflection.objects.get()
    assert (deflection.customer, deflection.service, deflection.typed_title) == (
        alice,
        printers,
        "Printer keeps jamm",
    )
