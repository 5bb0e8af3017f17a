"""The 26-week trends a manager can read: a labelled scale, dated weeks, lines from the first week
with answers across the whole width, and "no earlier figures" said once per card."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from reports.rollups import rollups_refresh
from surveys.models import Survey
from surveys.services import survey_answer

from ..accounts.factories import AgentFactory, ManagerFactory
from ..surveys.factories import resolved_ticket
from .test_ticket_journeys import _logged_in


def _graded(grade: str, agent, days_ago: int) -> None:
    when = timezone.now() - timedelta(days=days_ago)
    survey = resolved_ticket(agent=agent, now=when).surveys.get()
    Survey.objects.filter(pk=survey.pk).update(invited_at=when)
    survey_answer(survey=survey, answers={"grade": grade}, now=when + timedelta(hours=1))


def test_a_manager_reads_the_trends_with_their_scale_and_weeks(browser, live_server, transactional_db):
    sam = AgentFactory(first_name="Sam", last_name="Lee")
    for grade, days_ago in (("A", 22), ("C", 15), ("F", 8), ("B", 1)):  # four recent weeks only
        _graded(grade, sam, days_ago)
    rollups_refresh()
    page = _logged_in(browser, live_server, ManagerFactory())

    page.goto(f"/desk/reports/agents/{sam.pk}/")

    gpa_chart = page.get_by_role("img", name="Weekly grade point average; the table below has the figures")
    share_chart = page.get_by_role(
        "img", name="Weekly loyal and victimized shares; the table below has the figures"
    )
    expect(gpa_chart).to_be_visible()
    # The scale, labelled: 0 to 4 for the GPA, 0% to 100% for the shares; and the weeks, dated.
    assert gpa_chart.locator("text.trend-tick").all_text_contents()[:5] == ["0", "1", "2", "3", "4"]
    assert share_chart.locator("text.trend-tick").all_text_contents()[:5] == [
        "0%",
        "25%",
        "50%",
        "75%",
        "100%",
    ]
    weeks = gpa_chart.locator("text.trend-week").all_text_contents()
    first_week = Survey.objects.order_by("resolved_at").first().resolved_at
    monday = timezone.localtime(first_week).date() - timedelta(days=timezone.localtime(first_week).weekday())
    assert weeks[0] == f"{monday.day} {monday:%b}"
    assert "Week starting" in gpa_chart.text_content()
    # The line starts at the left of the plot (the first week with answers), not squeezed right.
    points = gpa_chart.locator("polyline.trend-gpa").first.get_attribute("points").split()
    left = float(gpa_chart.locator("line.trend-axis").nth(1).get_attribute("x1"))
    assert float(points[0].split(",")[0]) == left
    box = gpa_chart.bounding_box()
    assert box["width"] > 300
    # Nothing before: said once on each card, never under every figure.
    assert page.get_by_text("No earlier figures", exact=False).count() == 2
    assert page.get_by_text("no earlier figures", exact=True).count() == 0
    page.get_by_text("The weeks as a table").click()
    expect(page.get_by_role("row")).not_to_have_count(0)
    assert page.locator("details tbody tr").count() == 4
