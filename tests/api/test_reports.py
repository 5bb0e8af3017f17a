"""The report card through the API: the dashboard's own figures for the same period and filter
(the page is rendered and its numbers compared), a filter that is not valid refused, managers only."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.rollups import rollups_refresh
from surveys.models import Survey
from surveys.services import survey_answer
from surveys.templatetags.survey_tags import percent

from ..accounts.factories import AgentFactory
from ..surveys.factories import resolved_ticket
from ..tickets.factories import ServiceFactory
from .conftest import ApiClient

pytestmark = pytest.mark.django_db

REPORT_CARD = "/api/v1/reports/report-card/"
DASHBOARD = reverse("reports:dashboard")


def _graded(grade: str, *, agent, service, days_ago: int = 2, **answers) -> Survey:
    """A request resolved `days_ago`, its customer invited and (given a grade) answering."""
    when = timezone.now() - timedelta(days=days_ago)
    survey = resolved_ticket(agent=agent, service=service, now=when).surveys.get()
    Survey.objects.filter(pk=survey.pk).update(invited_at=when)
    if grade:
        survey_answer(survey=survey, answers={"grade": grade, **answers}, now=when + timedelta(hours=1))
    return survey


@pytest.fixture
def desk():
    sam, priya = AgentFactory(), AgentFactory()
    printing, mail = ServiceFactory(name="Printing"), ServiceFactory(name="Mail")
    for grade in "AAB":
        _graded(grade, agent=sam, service=printing, would_choose_us="yes", empathy=5)
    _graded("C", agent=priya, service=mail, would_choose_us="no", felt_indifference=True)
    _graded("F", agent=priya, service=mail, days_ago=20)
    _graded("", agent=priya, service=mail)  # invited, never answered
    _graded("D", agent=sam, service=printing, days_ago=100)  # the 90 days before
    rollups_refresh()
    return {"printing": printing, "mail": mail}


def _page_numbers(html: str) -> dict[str, str]:
    """The report card's headline figures as the dashboard prints them."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"\s+", " ", text)
    gpa = re.search(r"Grade point average ([\d.]+) / 4", text)
    answered = re.search(r"Answered \((\d+) of (\d+)\) ([\d.]+%|—)", text)
    loyal = re.search(r"Loyal: graded A or B ([\d.]+%|—)", text)
    return {
        "gpa": gpa.group(1),
        "answered": answered.group(1),
        "invited": answered.group(2),
        "response_rate": answered.group(3),
        "loyalty_rate": loyal.group(1),
    }


def _share(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"period": "30"},
        {"period": "90", "scope": "service:{printing}"},
        {"period": "custom", "first": "{ten_days_ago}", "last": "{today}", "scope": "service:{mail}"},
        {"period": "180", "scope": "service:{mail}"},
    ],
    ids=["default", "30-days", "printing", "mail-custom", "mail-180-days"],
)
def test_the_report_card_is_the_dashboards_for_the_same_period_and_filter(
    desk, manager, manager_client, query
):
    today = timezone.localdate()
    values = {
        "printing": desk["printing"].pk,
        "mail": desk["mail"].pk,
        "today": today.isoformat(),
        "ten_days_ago": (today - timedelta(days=10)).isoformat(),
    }
    query = {name: value.format(**values) for name, value in query.items()}

    api = ApiClient(manager).get(REPORT_CARD, query)
    page = manager_client.get(DASHBOARD, query)

    assert (api.status_code, page.status_code) == (200, 200), api.content
    board, data = page.context["board"], api.json()
    card, shown = board.figures.card, data["current"]["card"]
    assert (data["current"]["first"], data["current"]["last"]) == (
        str(board.period.first),
        str(board.period.last),
    )
    assert data["scope"] == str(board.scope)
    assert card.answered > 0  # the data gives every case something to compare
    assert shown["grades"] == card.distribution
    assert (shown["answered"], shown["invited"]) == (card.answered, card.invited)
    for name in (
        "gpa",
        "loyalty_rate",
        "victimized_rate",
        "indifference_share",
        "response_rate",
        "would_choose_rate",
    ):
        assert _share(shown[name]) == getattr(card, name), name
    assert {name: _share(v) for name, v in shown["dimension_averages"].items()} == card.dimension_averages
    assert _share(data["previous"]["card"]["gpa"]) == board.previous.card.gpa
    health = data["current"]["health"]
    assert health["tickets_created"] == board.figures.health.tickets_created
    assert _share(health["resolution_rate"]) == board.figures.health.resolution_rate
    # And the numbers printed on the page.
    printed = _page_numbers(page.content.decode())
    assert printed["gpa"] == f"{_share(shown['gpa']):.2f}"
    assert (printed["answered"], printed["invited"]) == (str(shown["answered"]), str(shown["invited"]))
    assert printed["response_rate"] == percent(_share(shown["response_rate"]))
    assert printed["loyalty_rate"] == percent(_share(shown["loyalty_rate"]))


def test_the_filter_changes_the_figures(desk, api_manager):
    whole = api_manager.get(REPORT_CARD).json()["current"]["card"]
    printing = api_manager.get(REPORT_CARD, {"scope": f"service:{desk['printing'].pk}"}).json()["current"][
        "card"
    ]
    mail = api_manager.get(REPORT_CARD, {"scope": f"service:{desk['mail'].pk}"}).json()["current"]["card"]

    assert printing["grades"] == {"A": 2, "B": 1, "C": 0, "D": 0, "F": 0}
    assert mail["grades"] == {"A": 0, "B": 0, "C": 1, "D": 0, "F": 1}
    assert whole["answered"] == printing["answered"] + mail["answered"] == 5
    assert (printing["gpa"], mail["gpa"], mail["response_rate"]) == (3.67, 1.0, 0.667)
    previous = api_manager.get(REPORT_CARD, {"scope": f"service:{desk['printing'].pk}"}).json()["previous"]
    assert previous["card"]["grades"]["D"] == 1


def test_no_answers_are_nulls_not_zeros(api_manager):
    card = api_manager.get(REPORT_CARD).json()["current"]["card"]

    assert (card["answered"], card["gpa"], card["response_rate"]) == (0, None, None)


@pytest.mark.parametrize(
    ("query", "field"),
    [({"period": "12"}, "period"), ({"scope": "team:999999"}, "scope"), ({"scope": "nonsense"}, "scope"),
     ({"period": "custom"}, "first"),
     ({"period": "custom", "first": "2026-02-30", "last": "2026-03-01"}, "first"),
     ({"period": "custom", "first": "2020-01-01", "last": "2099-01-01"}, "last"),
     ({"last": ""}, "last"), ({"period": "30", "first": " "}, "first")],
)  # fmt: skip
def test_a_filter_that_is_not_valid_is_a_400_naming_it(api_manager, query, field):
    answer = api_manager.get(REPORT_CARD, query)

    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]


def test_agents_and_customers_may_not_read_the_report_card(api_agent, api_customer, api_anonymous):
    answers = [client.get(REPORT_CARD) for client in (api_agent, api_customer, api_anonymous)]

    assert [answer.status_code for answer in answers] == [403, 403, 401]
    assert answers[0].json()["error"]["reason"] == "Only managers can do this."
