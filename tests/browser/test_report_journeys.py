"""A manager reads the report card, narrows it to a service, sorts agents and drills down to the
responses behind a grade; a large desk's agents in brief and on their own page; an agent reads
their own card."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from reports import selectors
from reports.rollups import rollups_refresh
from surveys.models import Survey
from surveys.services import survey_answer

from ..accounts.factories import AgentFactory, ManagerFactory
from ..reports.factories import ticket_came_in
from ..surveys.factories import resolved_ticket
from ..tickets.factories import ServiceFactory
from .test_ticket_journeys import _logged_in


def _graded(grade: str, agent, service) -> None:
    when = timezone.now() - timedelta(days=2)
    survey = resolved_ticket(agent=agent, service=service, now=when).surveys.get()
    Survey.objects.filter(pk=survey.pk).update(invited_at=when)
    survey_answer(survey=survey, answers={"grade": grade}, now=when + timedelta(hours=1))


def test_a_manager_reads_the_report_card_and_drills_down(browser, live_server, transactional_db):
    sam, priya = (
        AgentFactory(first_name="Sam", last_name="Lee"),
        AgentFactory(first_name="Priya", last_name="Shah"),
    )
    printing, email = ServiceFactory(name="Printing"), ServiceFactory(name="E-mail")
    for grade in "AAB":
        _graded(grade, sam, email)
    _graded("F", priya, printing)
    rollups_refresh()

    page = _logged_in(browser, live_server, ManagerFactory())
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Report card and service health")).to_be_visible()
    card = page.get_by_role("region", name="Report card")
    expect(card.get_by_text("2.75")).to_be_visible()  # (4 + 4 + 3 + 0) / 4

    # Sort the agents by GPA, lowest first, from the keyboard.
    agents = page.get_by_role("region", name="By agent")
    agents.get_by_role("button", name="GPA").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(agents.locator("tbody tr").first).to_contain_text("Priya Shah")

    page.get_by_label("Show").select_option(label="Printing")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(card.get_by_text("0.00")).to_be_visible()

    card.get_by_role("link", name=re.compile("responses graded F")).click()
    expect(page.get_by_role("heading", name="Responses graded F")).to_be_visible()
    expect(page.get_by_text("resolved by Priya Shah")).to_be_visible()


def test_an_agent_reads_their_own_report_card(browser, live_server, transactional_db):
    sam = AgentFactory(first_name="Sam", last_name="Lee")
    _graded("B", sam, ServiceFactory())
    rollups_refresh()

    page = _logged_in(browser, live_server, sam)
    page.get_by_role("link", name="My report card").click()

    expect(page.get_by_role("heading", name="My report card")).to_be_visible()
    expect(page.get_by_role("region", name="Report card").get_by_text("3.00")).to_be_visible()
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)


def test_a_large_desk_shows_its_agents_in_brief_and_all_on_their_own_page(
    browser, live_server, transactional_db, monkeypatch
):
    monkeypatch.setattr(selectors, "AGENTS_IN_FULL", 2)
    monkeypatch.setattr(selectors, "AGENT_OVERVIEW_ROWS", 1)
    monkeypatch.setattr(selectors, "AGENT_OVERVIEW_MIN_RESPONSES", 1)
    service = ServiceFactory()
    for first, grade in (("Ann", "A"), ("Bob", "C"), ("Cy", "F")):
        _graded(grade, AgentFactory(first_name=first, last_name="Agent"), service)
    rollups_refresh()

    page = _logged_in(browser, live_server, ManagerFactory())
    page.get_by_role("link", name="Reports").click()
    agents = page.get_by_role("region", name="By agent")
    expect(agents.get_by_role("table", name="Highest grade point average")).to_contain_text("Ann Agent")
    expect(agents.get_by_role("table", name="Lowest grade point average")).to_contain_text("Cy Agent")
    expect(agents).not_to_contain_text("Bob Agent")

    agents.get_by_role("link", name="All 3 agents").click()
    expect(page.get_by_role("heading", name="Agents' report cards")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(3)
    page.get_by_role("link", name="Bob Agent").click()
    expect(page.get_by_role("heading", name="Report card: Bob Agent")).to_be_visible()


def test_a_manager_breaks_the_card_down_by_channel_and_narrows_it_to_calls(
    browser, live_server, transactional_db
):
    sam = AgentFactory(first_name="Sam", last_name="Lee")
    ticket_came_in("phone", agent=sam, grade="F")
    for grade in "AB":
        ticket_came_in("email", agent=sam, grade=grade)
    rollups_refresh()

    page = _logged_in(browser, live_server, ManagerFactory())
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="Reports").click()
    channels = page.get_by_role("region", name="By channel")
    expect(channels.locator("tbody tr")).to_have_count(2)
    expect(channels.locator("tbody tr").first).to_contain_text("E-mail")  # best GPA first
    phone = channels.locator("tbody tr", has_text="Phone")
    phone.get_by_role("link", name="1").click()
    expect(page.get_by_role("heading", name="Responses")).to_be_visible()
    expect(page.get_by_text("resolved by Sam Lee")).to_have_count(1)

    page.go_back()
    page.get_by_label("Show").select_option(label="Phone")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("region", name="Report card").get_by_text("0.00")).to_be_visible()
    expect(page.get_by_role("region", name="By channel")).to_have_count(0)
