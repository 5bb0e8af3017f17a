"""A manager opens the staff meeting for a period, adds an action and downloads the PDF; at desktop
and phone width, nothing out of view. SCREENSHOTS_DIR set: each page is saved there, to look at."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from reports.rollups import rollups_refresh

from ..accounts.factories import AgentFactory, ManagerFactory
from ..reports.factories import ticket_came_in
from ..tickets.factories import ServiceFactory
from .test_table_layouts import OUT_OF_VIEW, _log_in


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def _in_view(page: Page) -> None:
    assert page.evaluate(OUT_OF_VIEW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manager_holds_the_meeting_adds_an_action_and_downloads_the_pdf(
    browser, live_server, transactional_db, width
):
    sam = AgentFactory(first_name="Sam", last_name="Okafor")
    printers = ServiceFactory(name="Printer faults")
    for grade in ("A", "B"):
        ticket_came_in("phone", agent=sam, grade=grade, days_ago=5)
    ticket_came_in("phone", agent=sam, grade="F", days_ago=4, service=printers)
    rollups_refresh()
    manager = ManagerFactory()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(page, manager.username)

    page.goto("/desk/meetings/")
    page.get_by_role("link", name="Record a meeting").click()
    today = timezone.localdate()
    page.get_by_label("Figures from").fill((today - timedelta(days=29)).isoformat())
    page.get_by_label("Figures to").fill(today.isoformat())
    page.get_by_role("button", name="Record the meeting").click()

    expect(page.get_by_role("heading", name="Staff meeting of")).to_be_visible()
    expect(page.get_by_role("region", name="Report card").get_by_text("2.33")).to_be_visible()  # (4+3+0)/3
    expect(page.get_by_role("region", name="Where the grade was lost")).to_contain_text("Printer faults")
    page.get_by_text("Add an action").click()
    page.get_by_label("What to improve").select_option(label="Training")
    page.get_by_label("Description").fill("Teach the toner swap to the whole desk")
    page.get_by_label("Owner").select_option(label="Sam Okafor")
    page.get_by_label("Due on").fill((today + timedelta(days=14)).isoformat())
    page.get_by_label("Service it improves").select_option(label="Printer faults")
    page.get_by_role("button", name="Add the action").click()

    actions = page.get_by_role("region", name="Actions decided")
    expect(actions).to_contain_text("Teach the toner swap to the whole desk")
    expect(actions).to_contain_text("Owner: Sam Okafor")
    _shot(page, "staff-meeting")
    _in_view(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    pdf = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = "\n".join(pdf_page.extract_text() for pdf_page in pdf.pages)
    assert "GPA 2.33" in text and "Teach the toner swap to the whole desk" in text
    assert today.strftime("%d %b %Y") in text
    context.close()
