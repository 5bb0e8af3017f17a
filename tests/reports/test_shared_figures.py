"""Each figure two pages show is defined once: computed on both pages, it is the same number."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.rollups import rollups_refresh
from surveys.figures import report_card
from surveys.models import Survey
from surveys.services import survey_answer
from tickets.models import Ticket
from tickets.querysets import TURNED_AWAY_ROOT_CAUSES

from ..accounts.factories import AgentFactory, CustomerFactory
from ..surveys.factories import resolved_ticket
from ..tickets.factories import OutOfScopeServiceFactory, TicketFactory
from .factories import ticket_came_in

pytestmark = pytest.mark.django_db


def _invited(agent, *, grade: str = "", days_ago: int = 3) -> Survey:
    when = timezone.now() - timedelta(days=days_ago)
    survey = resolved_ticket(agent=agent, now=when).surveys.get()
    Survey.objects.filter(pk=survey.pk).update(invited_at=when)
    if grade:
        survey_answer(survey=survey, answers={"grade": grade}, now=when + timedelta(hours=2))
    return survey


def test_an_agents_response_rate_is_the_same_on_their_card_and_the_managers_pages(client, manager_client):
    sam = AgentFactory(first_name="Sam")
    for grade in ("A", "B", "C", ""):  # three of four invited customers answered
        _invited(sam, grade=grade)
    rollups_refresh()
    client.force_login(sam)

    mine = client.get(reverse("reports:agent_card_mine"))
    theirs = manager_client.get(reverse("reports:agent_card", args=[sam.pk]))
    table = manager_client.get(reverse("reports:agents"))
    folded = client.get(reverse("surveys:grades_mine"))  # what was "My grades" (100% there)

    assert (mine.status_code, theirs.status_code, table.status_code) == (200, 200, 200)
    expected = report_card(Survey.objects.filter(agent=sam)).response_rate
    assert expected == Decimal("0.750")
    assert mine.context["figures"].card.response_rate == expected
    assert theirs.context["figures"].card.response_rate == expected
    assert {row.key: row.figures.card.response_rate for row in table.context["rows"]}[str(sam.pk)] == expected
    assert "75.0%" in mine.content.decode()
    assert folded.status_code == 301 and folded["Location"] == reverse("reports:agent_card_mine")


def test_customers_turned_away_by_a_process_are_the_same_on_reports_and_processes(manager_client):
    desks = OutOfScopeServiceFactory(name="Desks, chairs and office moves")
    badges = OutOfScopeServiceFactory(name="Door badges")
    recently = timezone.now() - timedelta(days=5)
    # Alice did not know the desks process (taught): it did not turn her away.
    TicketFactory(
        customer=CustomerFactory(), cited_process=desks, root_cause="did_not_know", created_at=recently
    )
    for cause in ("process_broken", "bypassed", "process_broken"):
        TicketFactory(customer=CustomerFactory(), cited_process=badges, root_cause=cause, created_at=recently)

    reports = manager_client.get(reverse("reports:dashboard"))
    processes = manager_client.get(reverse("tickets:process_register"))

    assert (reports.status_code, processes.status_code) == (200, 200)
    on_reports = {row["cited_process__name"]: row["customers"] for row in reports.context["board"].processes}
    on_processes = {p.name: p.customers_turned_away_recently for p in processes.context["processes"]}
    assert on_reports == {"Door badges": 3}
    assert on_processes["Door badges"] == 3 and on_processes["Desks, chairs and office moves"] == 0
    assert all(on_processes[name] == count for name, count in on_reports.items())
    assert set(TURNED_AWAY_ROOT_CAUSES) == {
        Ticket.RootCause.PROCESS_BROKEN,
        Ticket.RootCause.BYPASSED_PROCESS,
    }


def test_processes_worst_first_puts_a_broken_process_above_a_working_one(manager_client):
    working = OutOfScopeServiceFactory(name="A working process", process_health="works")
    broken = OutOfScopeServiceFactory(name="Z broken process", process_health="broken")
    cumbersome = OutOfScopeServiceFactory(name="M cumbersome process", process_health="cumbersome")
    for _ in range(2):  # the working one was bypassed more often, and still ranks below
        TicketFactory(customer=CustomerFactory(), cited_process=working, root_cause="bypassed")

    answer = manager_client.get(reverse("tickets:process_register"))

    assert answer.status_code == 200
    ranked = [p.pk for p in answer.context["processes"] if p.pk in {working.pk, broken.pk, cumbersome.pk}]
    assert ranked == [broken.pk, cumbersome.pk, working.pk]


def test_a_channels_figures_are_the_same_on_its_row_its_filter_and_the_drill_downs(manager_client):
    sam = AgentFactory(first_name="Sam")
    for grade in ("A", "C", ""):  # three calls, two graded
        ticket_came_in(Ticket.Channel.PHONE, agent=sam, grade=grade)
    for grade in ("F", ""):
        ticket_came_in(Ticket.Channel.EMAIL, agent=sam, grade=grade)
    ticket_came_in(Ticket.Channel.PORTAL, agent=sam, grade="B")
    rollups_refresh()
    phone = {"scope": "channel:phone"}

    board = manager_client.get(reverse("reports:dashboard")).context["board"]
    filtered = manager_client.get(reverse("reports:dashboard"), phone).context["board"]
    created = manager_client.get(reverse("reports:tickets"), {**phone, "measure": "created"})
    graded = manager_client.get(reverse("reports:responses"), {"dim": "channel", "key": "phone"})
    graded_in_filter = manager_client.get(reverse("reports:responses"), phone)
    csv_rows = manager_client.get(reverse("reports:export", args=["channel"])).content.decode().splitlines()

    row = {row.key: row for row in board.breakdowns["channel"]}["phone"]
    assert row.label == "Phone"
    assert row.figures.health.tickets_created == filtered.figures.health.tickets_created == 3
    assert len(created.context["tickets"]) == 3
    assert {t.channel for t in created.context["tickets"]} == {"phone"}
    assert row.figures.card.answered == filtered.figures.card.answered == 2
    assert len(graded.context["surveys"]) == len(graded_in_filter.context["surveys"]) == 2
    assert row.figures.card.gpa == filtered.figures.card.gpa == Decimal("3.00")  # A and C
    assert [line for line in csv_rows if line.startswith("Phone,")] == [
        f"Phone,2,2,3.00,1,0,1,0,0,50.0,0.0,0.0,100.0,3,{_percent(row.figures.health.first_response_rate)},"
        f"{_percent(row.figures.health.resolution_rate)}"
    ]


def _percent(share) -> str:
    return "" if share is None else f"{share * 100:.1f}"
