"""The staff meeting's page: the dashboard's own report card for its period, where the grade was
lost, the comments (managers only), recovery, the actions, and who may open what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import MeetingEvent, StaffMeeting
from reports.rollups import rollups_refresh
from surveys.figures import grade_cost, report_card
from surveys.models import Survey

from ..accounts.factories import AgentFactory
from ..hostile import HOSTILE_INPUTS
from ..surveys.factories import answered_survey
from ..tickets.factories import ServiceFactory
from .factories import action, meeting

pytestmark = pytest.mark.django_db


def _graded(grade: str, *, service=None, comment: str = "", agent=None) -> Survey:
    survey = answered_survey(grade=grade, agent=agent, comment=comment)
    if service:
        Survey.objects.filter(pk=survey.pk).update(service=service)
        survey.ticket.service = service
        survey.ticket.save(update_fields=["service"])
    return survey


def test_the_page_shows_the_periods_report_card_as_computed_from_the_rows(manager_client, manager):
    printers, laptops = ServiceFactory(name="Printers"), ServiceFactory(name="Laptops")
    for grade in ("A", "A", "B"):
        _graded(grade, service=laptops)
    for grade in ("D", "F"):
        _graded(grade, service=printers)
    rollups_refresh()
    held = meeting(by=manager)

    response = manager_client.get(held.get_absolute_url())

    assert response.status_code == 200
    desk = report_card(Survey.objects.all())
    assert desk.gpa == Decimal("2.40")  # (4 + 4 + 3 + 1 + 0) / 5
    page = response.context["page"]
    assert page.board.figures.card.gpa == desk.gpa
    assert page.board.period == held.period
    # Grade cost = answers × (desk GPA - its GPA): printers 2 × (2.40 - 0.50) = 3.80.
    printers_gpa = report_card(Survey.objects.filter(service=printers)).gpa
    assert [(row.label, row.cost) for row in page.services] == [
        ("Printers", grade_cost(answered=2, its_gpa=printers_gpa, desk_gpa=desk.gpa))
    ]
    assert page.services[0].cost == Decimal("3.80")
    html = response.content.decode()
    assert "2.40" in html and "3.80" in html and "Grade cost = answers" in html


def test_best_and_worst_comments_are_the_periods_commented_a_and_d_or_f(manager_client, manager):
    best = _graded("A", comment="Fixed before my coffee was cold")
    worst = _graded("F", comment="Nobody called back")
    _graded("A")  # no comment: nothing to read out
    _graded("C", comment="Fine")
    held = meeting(by=manager)

    response = manager_client.get(held.get_absolute_url())

    page = response.context["page"]
    assert [survey.pk for survey in page.best] == [best.pk]
    assert [survey.pk for survey in page.worst] == [worst.pk]
    assert "Fixed before my coffee was cold" in response.content.decode()


def test_an_agent_reads_the_meeting_but_not_the_customers_comments(client, manager):
    agent = AgentFactory()
    _graded("F", comment="Nobody called back")
    held = meeting(by=manager)
    action(on=held, owner=agent)
    client.force_login(agent)

    response = client.get(held.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nobody called back" not in html
    assert "Shorten the laptop request form" in html
    assert reverse("meetings:download", args=[held.pk]) not in html
    assert client.get(reverse("meetings:download", args=[held.pk])).status_code == 403
    assert client.post(reverse("meetings:action_add", args=[held.pk])).status_code == 403
    assert client.get(reverse("meetings:create")).status_code == 403
    assert client.get(reverse("meetings:nominations")).status_code == 403


@pytest.mark.parametrize("name", ["list", "detail", "download", "create", "nominations"])
def test_customers_and_visitors_are_kept_out(client, customer_client, manager, name):
    held = meeting(by=manager)
    url = reverse(f"meetings:{name}", kwargs={"pk": held.pk} if name in ("detail", "download") else {})

    assert customer_client.get(url).status_code == 403
    assert client.get(url).status_code == 302  # to the login page


def test_a_manager_records_a_meeting_and_it_is_audited(manager_client, manager):
    agent = AgentFactory()
    today = timezone.localdate()

    response = manager_client.post(
        reverse("meetings:create"),
        {
            "period_first": (today - timedelta(days=29)).isoformat(),
            "period_last": today.isoformat(),
            "held_on": today.isoformat(),
            "attendees": [agent.pk],
            "notes": "Discussed the printers",
        },
    )

    held = StaffMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == held.get_absolute_url()
    assert list(held.attendees.all()) == [agent]
    assert held.events.get().actor == manager
    assert held.events.get().kind == MeetingEvent.Kind.HELD


def test_a_period_that_ends_before_it_starts_is_refused(manager_client):
    today = timezone.localdate()

    response = manager_client.post(
        reverse("meetings:create"),
        {"period_first": today.isoformat(), "period_last": (today - timedelta(days=3)).isoformat(),
         "held_on": today.isoformat()},
    )  # fmt: skip

    assert response.status_code == 200
    assert "ends before it starts" in response.content.decode()
    assert not StaffMeeting.objects.exists()


def test_the_meeting_list_runs_constant_queries(manager_client, manager, django_assert_max_num_queries):
    for days_ago in range(2):
        meeting(by=manager, held_days_ago=days_ago)
    with django_assert_max_num_queries(10) as few:
        manager_client.get(reverse("meetings:list"))
    baseline = len(few.captured_queries)
    for days_ago in range(2, 12):
        meeting(by=manager, held_days_ago=days_ago)

    with django_assert_max_num_queries(baseline):
        response = manager_client.get(reverse("meetings:list"))

    assert len(response.context["meetings"]) == 12


def test_the_meeting_page_runs_constant_queries_whatever_its_actions(
    manager_client, manager, django_assert_max_num_queries
):
    agent = AgentFactory()
    held = meeting(by=manager)
    for _ in range(2):
        action(on=held, owner=agent)
    with django_assert_max_num_queries(60) as few:
        manager_client.get(held.get_absolute_url())
    baseline = len(few.captured_queries)  # read now: the next request empties the query log
    for _ in range(8):
        action(on=held, owner=agent)

    with django_assert_max_num_queries(baseline):
        response = manager_client.get(held.get_absolute_url())

    assert len(response.context["page"].actions) == 10


@pytest.mark.parametrize("text", HOSTILE_INPUTS)
def test_notes_are_stored_as_typed_and_shown_escaped(manager_client, manager, text):
    held = meeting(by=manager)

    response = manager_client.post(reverse("meetings:notes", args=[held.pk]), {"notes": text})

    held.refresh_from_db()
    if "\0" in text:  # Django's forms refuse NUL: a 400 naming the field, nothing stored
        assert response.status_code == 400 and held.notes == ""
        return
    assert response.status_code == 302
    assert held.notes == text
    page = manager_client.get(held.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
