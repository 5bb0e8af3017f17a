"""The dashboard pages: who may see them, that they show the figures module's figures, filters,
drill-down, CSV export, bad input, and a query count that does not grow with the data."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerCategory
from reports import selectors, totals
from reports.periods import Period
from reports.rollups import FILTER_DIMS, FINE_DIMS, rollups_refresh
from surveys.figures import report_card
from surveys.models import Survey
from surveys.services import survey_answer
from tickets.models import Ticket

from ..accounts.factories import AgentFactory
from ..hostile import HOSTILE_INPUTS
from ..surveys.factories import resolved_ticket
from ..tickets.factories import ServiceFactory, TeamFactory
from .factories import ticket_came_in

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")


def graded(grade: str, *, agent=None, service=None, days_ago: int = 1, channel: str = "portal") -> Survey:
    when = timezone.now() - timedelta(days=days_ago)
    ticket = resolved_ticket(
        agent=agent, now=when, channel=channel, **({"service": service} if service else {})
    )
    survey = ticket.surveys.get()
    Survey.objects.filter(pk=survey.pk).update(invited_at=when)
    survey_answer(
        survey=survey, answers={"grade": grade, "would_choose_us": "yes"}, now=when + timedelta(hours=1)
    )
    return survey


@pytest.fixture
def grades():
    sam, priya = (
        AgentFactory(first_name="Sam", last_name="Lee"),
        AgentFactory(first_name="Priya", last_name="Shah"),
    )
    printing = ServiceFactory(name="Printing", default_team=TeamFactory(name="Field"))
    for grade in "AAB":
        graded(grade, agent=sam)
    for grade in "CF":
        graded(grade, agent=priya, service=printing)
    graded("D", agent=sam, days_ago=100)  # the previous 90 days
    rollups_refresh()
    return {"sam": sam, "priya": priya, "printing": printing}


@pytest.mark.parametrize(
    "client_fixture, status",
    [("manager_client", 200), ("agent_client", 403), ("customer_client", 403)],
)
def test_only_managers_see_the_dashboard(request, client_fixture, status):
    assert request.getfixturevalue(client_fixture).get(DASHBOARD).status_code == status


def test_anonymous_visitors_log_in_first(client):
    for name in ("reports:dashboard", "reports:agents", "reports:agent_card_mine", "reports:responses"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_agent_sees_their_own_card_and_nobody_elses(agent_client, agent, customer_client, grades):
    assert agent_client.get(reverse("reports:agent_card_mine")).status_code == 200
    assert agent_client.get(reverse("reports:agent_card", args=[grades["sam"].pk])).status_code == 403
    assert agent_client.get(reverse("reports:export", args=["agent"])).status_code == 403
    assert agent_client.get(reverse("reports:responses")).status_code == 403
    assert customer_client.get(reverse("reports:agent_card_mine")).status_code == 403


def test_an_agents_card_shows_their_figures(client, grades):
    client.force_login(grades["sam"])
    response = client.get(reverse("reports:agent_card_mine"))

    expected = report_card(
        Survey.objects.filter(agent=grades["sam"], resolved_at__gte=timezone.now() - timedelta(days=89))
    )
    assert response.context["figures"].card == expected
    assert expected.gpa == Decimal("3.67")  # A A B
    assert "3.67" in response.content.decode()


def test_the_dashboard_shows_the_figures_module_figures_with_the_change(manager_client, grades):
    response = manager_client.get(DASHBOARD)
    board = response.context["board"]
    recent = Survey.objects.filter(resolved_at__gte=timezone.now() - timedelta(days=89))

    assert board.figures.card == report_card(recent)
    assert board.figures.card.gpa == Decimal("2.60")  # (4+4+3+2+0)/5
    assert board.previous.card.gpa == 1  # the D a hundred days ago
    page = response.content.decode()
    assert "2.60" in page
    assert "▲" in page and "1.60" in page  # up 1.60 on the previous period
    agents = {row.label: row.figures.card.gpa for row in board.breakdowns["agent"]}
    assert agents == {"Sam Lee": Decimal("3.67"), "Priya Shah": 1}
    assert list(agents) == ["Sam Lee", "Priya Shah"]  # best first


def test_one_filter_narrows_every_figure(manager_client, grades):
    response = manager_client.get(DASHBOARD, {"scope": f"service:{grades['printing'].pk}"})
    board = response.context["board"]

    assert board.figures.card.distribution == {"A": 0, "B": 0, "C": 1, "D": 0, "F": 1}
    assert "service" not in board.breakdowns  # one service: no breakdown by service
    assert [row.label for row in board.breakdowns["agent"]] == ["Priya Shah"]


def test_a_two_year_period_and_custom_dates(manager_client, grades):
    two_years = manager_client.get(DASHBOARD, {"period": "730"}).context["board"]
    assert two_years.figures.card.answered == 6

    today = timezone.localdate()
    custom = manager_client.get(
        DASHBOARD,
        {"period": "custom", "first": (today - timedelta(days=120)).isoformat(), "last": today.isoformat()},
    ).context["board"]
    assert custom.figures.card.answered == 6


def test_bad_dates_get_a_message_next_to_the_field_and_the_default_period(manager_client, grades):
    today = timezone.localdate()
    response = manager_client.get(
        DASHBOARD,
        {"period": "custom", "first": today.isoformat(), "last": (today - timedelta(days=3)).isoformat()},
    )

    assert response.status_code == 200
    assert "The last day cannot be before the first." in response.content.decode()
    assert response.context["board"].period.days == 90
    assert response.context["form"]["first"].value() == today.isoformat()  # what was typed stays


def test_drill_down_to_the_responses_behind_a_grade(manager_client, grades):
    response = manager_client.get(reverse("reports:responses"), {"grade": "F"})

    assert [s.grade for s in response.context["surveys"]] == ["F"]
    by_agent = manager_client.get(reverse("reports:responses"), {"dim": "agent", "key": grades["sam"].pk})
    assert sorted(s.grade for s in by_agent.context["surveys"]) == ["A", "A", "B"]


def test_drill_down_to_the_tickets_behind_a_health_figure(manager_client, grades):
    response = manager_client.get(reverse("reports:tickets"), {"measure": "created", "period": "730"})

    assert len(response.context["tickets"]) == 6
    assert manager_client.get(reverse("reports:tickets"), {"measure": "nonsense"}).status_code == 404


def test_csv_export_of_a_breakdown(manager_client, grades):
    response = manager_client.get(reverse("reports:export", args=["agent"]))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Agent", "responses", "offered"]
    assert {row[0]: row[3] for row in rows[1:]} == {"Sam Lee": "3.67", "Priya Shah": "1.00"}
    trend = list(
        csv.reader(
            io.StringIO(manager_client.get(reverse("reports:export", args=["trend"])).content.decode())
        )
    )
    assert len(trend) == 27 and sum(int(row[1]) for row in trend[1:]) == 6  # the D of 100 days ago too


def test_a_name_a_spreadsheet_would_run_is_exported_as_text(manager_client):
    graded("A", agent=AgentFactory(first_name="=HYPERLINK(1)", last_name=""))
    rollups_refresh()

    rows = list(
        csv.reader(
            io.StringIO(manager_client.get(reverse("reports:export", args=["agent"])).content.decode())
        )
    )

    assert rows[1][0] == "'=HYPERLINK(1)"


def test_hostile_input_in_every_parameter_never_breaks_a_page(manager_client, grades):
    for value in HOSTILE_INPUTS:
        every_filter = {"period": value, "first": value, "last": value, "scope": value}
        assert manager_client.get(DASHBOARD, every_filter).status_code == 200, value
        assert manager_client.get(DASHBOARD, {**every_filter, "period": "custom"}).status_code == 200, value
        drill = reverse("reports:responses")
        assert manager_client.get(drill, {"dim": "agent", "key": value}).status_code in (200, 404)
        assert manager_client.get(drill, {"dim": "channel", "key": value}).status_code in (200, 404)
        assert manager_client.get(DASHBOARD, {"scope": f"channel:{value}"}).status_code == 200, value
        assert manager_client.get(drill, {"dim": value, "grade": value}).status_code in (200, 404)
        assert manager_client.get(reverse("reports:tickets"), {"measure": value}).status_code == 404
        assert manager_client.get(reverse("reports:export", args=["agent"]), every_filter).status_code == 200


@pytest.mark.parametrize("scope", ["", "channel:phone"])
def test_the_dashboard_runs_a_fixed_number_of_queries(manager_client, grades, scope):
    def queries() -> int:
        cache.clear()  # every part read from the database, as on a first view
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(DASHBOARD, {"scope": scope}).status_code == 200
        return len(captured)

    graded("A", agent=AgentFactory(), channel="phone")  # the phone requests' page has rows to show too
    rollups_refresh()
    before = queries()
    for channel in (*Ticket.Channel.values, "phone"):
        graded("B", agent=AgentFactory(), service=ServiceFactory(), channel=channel)
    rollups_refresh()

    assert queries() == before
    assert before < 20


def test_the_category_filter_reads_the_customers_category(manager_client, grades):
    response = manager_client.get(DASHBOARD, {"scope": f"category:{CustomerCategory.VIP}"})

    assert response.context["board"].figures.card.answered == 0


def test_the_trend_and_breakdowns_are_kept_until_the_rollups_change(manager_client, grades):
    def view() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = manager_client.get(DASHBOARD)
        priya = re.search(
            r'Priya Shah</a></th><td class="text-end" data-value="(\d+)"', response.content.decode()
        )
        return len(captured), priya.group(1)

    fresh_queries, priya_responses = view()
    cached_queries, cached_responses = view()

    # No weekly trend, breakdown sums or agents' names; nor the live counts (backlog, recovery cases,
    # suggestions), which are kept a minute; nor the manager's permissions (2), kept since the first.
    assert cached_queries == fresh_queries - 6 - 2
    assert cached_responses == priya_responses == "2"

    graded("A", agent=grades["priya"])
    assert view()[1] == "2"  # the rollups have not caught up yet: the page agrees with its card
    rollups_refresh()

    assert view() == (fresh_queries - 3 - 2, "3")  # the rollups read again; the live counts still kept


def test_a_large_desk_gets_an_overview_of_its_agents_and_a_page_with_them_all(
    manager_client, grades, monkeypatch
):
    monkeypatch.setattr(selectors, "AGENTS_IN_FULL", 1)
    monkeypatch.setattr(selectors, "AGENT_OVERVIEW_ROWS", 1)
    monkeypatch.setattr(selectors, "AGENT_OVERVIEW_MIN_RESPONSES", 2)

    response = manager_client.get(DASHBOARD, {"period": "30"})
    board = response.context["board"]

    assert "agent" not in board.breakdowns
    overview = board.agent_overview
    assert overview.agents == 2
    assert [row.label for row in overview.highest] == ["Sam Lee"]  # A A B
    assert [row.label for row in overview.lowest] == ["Priya Shah"]  # C F
    assert overview.lowest[0].figures.card.gpa == 1
    page = response.content.decode()
    assert "All 2 agents" in page and reverse("reports:agents") + "?period=30" in page

    table = manager_client.get(reverse("reports:agents"), {"period": "30"})
    assert [row.label for row in table.context["rows"]] == ["Sam Lee", "Priya Shah"]
    assert "Priya Shah" in table.content.decode()


def test_an_overview_never_names_an_agent_twice(grades, monkeypatch):
    monkeypatch.setattr(selectors, "AGENT_OVERVIEW_MIN_RESPONSES", 1)
    agent_totals = totals.totals_by_key(period=Period.ending_today(30), scope=totals.Scope(), dim="agent")

    overview = selectors.agent_overview(agent_totals)  # two graded agents, five places on each list

    assert [row.label for row in overview.lowest] == ["Priya Shah", "Sam Lee"]
    assert overview.highest == []


@pytest.mark.parametrize(
    "client_fixture, status",
    [("manager_client", 200), ("agent_client", 403), ("customer_client", 403)],
)
def test_only_managers_see_the_agents_table(request, client_fixture, status, grades):
    response = request.getfixturevalue(client_fixture).get(reverse("reports:agents"))
    assert response.status_code == status


def test_hostile_input_on_the_agents_table(manager_client, grades):
    for value in HOSTILE_INPUTS:
        params = {"period": value, "first": value, "last": value, "scope": value}
        assert manager_client.get(reverse("reports:agents"), params).status_code == 200, value


@pytest.fixture
def channels():
    """Requests made as they came in: graded A from the portal, B C by e-mail, F F D by phone, and
    one visit not graded yet."""
    sam = AgentFactory(first_name="Sam", last_name="Lee")
    for channel, grades in (("portal", "A"), ("email", "BC"), ("phone", "FFD"), ("walk_in", "")):
        for grade in grades or [""]:
            ticket_came_in(channel, agent=sam, grade=grade)
    rollups_refresh()


def test_the_dashboard_broken_down_by_channel(manager_client, channels):
    response = manager_client.get(DASHBOARD)

    rows = response.context["board"].breakdowns["channel"]
    figures = {row.label: (row.figures.health.tickets_created, row.figures.card.answered) for row in rows}
    assert figures == {"Portal": (1, 1), "E-mail": (2, 2), "Phone": (3, 3), "In person": (1, 0)}
    assert [row.label for row in rows] == ["Portal", "E-mail", "Phone", "In person"]  # best GPA first
    page = response.content.decode()
    assert '<h2 class="h5" id="breakdown-channel">By channel</h2>' in page
    assert "In person</th>" in page and "walk_in</th>" not in page  # the channel's name, not its key
    drill = f"{reverse('reports:responses')}?&amp;dim=channel&amp;key=phone"
    assert f'<a href="{drill}">3</a>' in page

    behind = manager_client.get(reverse("reports:responses"), {"dim": "channel", "key": "phone"})
    assert sorted(s.grade for s in behind.context["surveys"]) == ["D", "F", "F"]
    assert {s.ticket.channel for s in behind.context["surveys"]} == {"phone"}
    assert (
        manager_client.get(reverse("reports:responses"), {"dim": "channel", "key": "fax"}).status_code == 404
    )


def test_the_dashboard_filtered_to_a_channel(manager_client, channels):
    response = manager_client.get(DASHBOARD, {"scope": "channel:email"})

    board = response.context["board"]
    assert board.figures.card.distribution == {"A": 0, "B": 1, "C": 1, "D": 0, "F": 0}
    assert board.figures.health.tickets_created == 2
    assert "channel" not in board.breakdowns  # one channel: no breakdown by channel
    assert [row.label for row in board.breakdowns["agent"]] == ["Sam Lee"]
    assert board.backlog.open_total == 0  # both e-mailed requests are resolved
    assert "Channel: E-mail" in response.content.decode()  # on the printed page


def test_every_page_with_the_filter_offers_the_channels(manager_client, agent_client, channels):
    for url in (DASHBOARD, reverse("reports:agents")):  # the drill-downs carry the filter, not the form
        page = manager_client.get(url).content.decode()
        assert '<optgroup label="Channel">' in page, url
        for value, label in Ticket.Channel.choices:
            assert f'<option value="channel:{value}">{label}</option>' in page, url
    # An agent's own card has no filter; the channel's table is the managers' only.
    assert "channel:phone" not in agent_client.get(reverse("reports:agent_card_mine")).content.decode()
    assert agent_client.get(reverse("reports:export", args=["channel"])).status_code == 403


def test_csv_export_by_channel(manager_client, channels):
    response = manager_client.get(reverse("reports:export", args=["channel"]), {"scope": "category:general"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Channel", "responses"]
    assert {row[0]: (row[1], row[13]) for row in rows[1:]} == {  # responses, tickets created
        "Portal": ("1", "1"),
        "E-mail": ("2", "2"),
        "Phone": ("3", "3"),
        "In person": ("0", "1"),
    }


def test_every_breakdown_has_a_title_and_names_for_its_keys():
    labels = selectors.dashboard_labels({}, {})

    assert list(selectors.BREAKDOWNS) == list(FINE_DIMS)
    assert set(labels) == set(FINE_DIMS) - {"agent"}  # agents are named from their accounts
    assert set(FILTER_DIMS) - {""} <= set(FINE_DIMS)
