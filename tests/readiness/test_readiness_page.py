"""The managers' readiness page: each figure computed from the rows equals what the page shows,
worst first by the stated rule, in constant queries; agents and customers are kept out."""

import re
from datetime import timedelta

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Article, DocumentationFlag
from readiness.models import TrainingRecord
from readiness.selectors import ORDER_RULE
from reports.periods import Period
from reports.rollups import rollups_refresh
from surveys.figures import ratio, report_card
from surveys.models import POOR_GRADES, Survey
from surveys.templatetags.survey_tags import percent
from tickets.models import Ticket

from ..accounts.factories import AgentFactory
from ..surveys.factories import answered_survey
from ..tickets.factories import ServiceFactory, TicketFactory
from .conftest import publish
from .test_training import record

pytestmark = pytest.mark.django_db

PAGE = reverse("readiness:readiness")


def _graded(grade: str, *, service, agent) -> Survey:
    survey = answered_survey(grade=grade, agent=agent)
    Survey.objects.filter(pk=survey.pk).update(service=service)
    Ticket.objects.filter(pk=survey.ticket_id).update(service=service)
    return survey


def _flag(kind, *, service=None, article=None, days_ago=0) -> DocumentationFlag:
    return DocumentationFlag.objects.create(
        kind=kind,
        service=service,
        article=article,
        reason="Steps changed",
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def _shown(html: str, service_pk: int) -> dict[str, str]:
    """The figures the page shows in one service's card, by name."""
    card = html.split(f'data-service="{service_pk}"', 1)[1].split("</section>", 1)[0]
    return {name: value.strip() for name, value in re.findall(r'data-figure="([a-z-]+)">([^<]*)<', card)}


def test_each_figure_on_the_page_is_computed_from_the_rows(manager_client, manager):
    vpn, phones = ServiceFactory(name="VPN"), ServiceFactory(name="Phones")
    today = timezone.localdate()
    guide = publish(by=manager, services=[vpn], title="Connect", review_by=today + timedelta(days=30))
    publish(by=manager, services=[vpn], title="Old guide", review_by=today - timedelta(days=1))
    publish(by=manager, services=[vpn], title="No review date")
    sam, priya, gone = AgentFactory(first_name="Sam"), AgentFactory(first_name="Priya"), AgentFactory()
    record(sam, vpn, article=guide)
    record(AgentFactory(first_name="Lee"), vpn)  # trained, handled nothing
    for grade in ("A", "D", "F"):
        _graded(grade, service=vpn, agent=priya)  # priya handles it untrained
    TicketFactory(service=vpn, assignee=gone, created_at=timezone.now() - timedelta(days=200))  # before
    _flag(DocumentationFlag.Kind.MISSING, service=vpn)
    _flag(DocumentationFlag.Kind.WRONG, article=guide)  # counted for the article's service
    _flag(DocumentationFlag.Kind.WRONG, article=guide, days_ago=200)  # before the period
    vpn.process_health = "cumbersome"
    vpn.save()
    rollups_refresh()

    response = manager_client.get(PAGE, {"period": "90"})

    assert response.status_code == 200
    html = response.content.decode()
    starts, ends = Period.ending_today(90).bounds()
    published = Article.objects.filter(services=vpn, status=Article.Status.PUBLISHED)
    trained = set(TrainingRecord.objects.filter(service=vpn).values_list("agent", flat=True))
    handled = set(
        Ticket.objects.filter(service=vpn, created_at__gte=starts, created_at__lt=ends)
        .exclude(assignee=None)
        .values_list("assignee", flat=True)
    )
    card = report_card(Survey.objects.filter(service=vpn, resolved_at__gte=starts, resolved_at__lt=ends))
    flags = DocumentationFlag.objects.filter(created_at__gte=starts, created_at__lt=ends).filter(
        Q(service=vpn) | Q(service=None, article__services=vpn)
    )
    expected = {
        "fresh": str(published.filter(Q(review_by=None) | Q(review_by__gte=today)).count()),
        "stale": str(published.filter(review_by__lt=today).count()),
        "trained": str(len(trained)),
        "handled": str(len(handled)),
        "untrained": priya.display_name,
        "process": "Cumbersome",
        "answered": str(card.answered),
        "gpa": str(card.gpa),
        "poor": percent(ratio(sum(card.distribution[grade] for grade in POOR_GRADES), card.answered)),
        "flags-missing": str(flags.filter(kind="missing").count()),
        "flags-wrong": str(flags.filter(kind="wrong").count()),
        # A stale article, an untrained handler, the process, the flags.
        "warnings": "4 warnings",
    }
    shown = _shown(html, vpn.pk)
    assert {name: shown.get(name) for name in expected} == expected
    # The rows are what the test means them to be, so the comparison above is not vacuous.
    assert (expected["fresh"], expected["stale"]) == ("2", "1")
    assert (expected["trained"], expected["handled"]) == ("2", "1")
    assert (expected["gpa"], expected["poor"], expected["flags-wrong"]) == ("1.67", "66.7%", "1")
    rows = response.context["rows"]
    # Worst first, by the rule the page states.
    assert [len(row.warnings) for row in rows] == sorted((len(row.warnings) for row in rows), reverse=True)
    assert ORDER_RULE.split("(")[0] in html
    assert _shown(html, phones.pk)["fresh"] == "0" and "missing" in html


def test_the_page_runs_constant_queries_whatever_the_services(
    manager_client, manager, django_assert_max_num_queries
):
    def some_services():
        for _ in range(3):
            service = ServiceFactory()
            agent = AgentFactory()
            publish(by=manager, services=[service], title=f"Guide {service.pk}")
            record(agent, service)
            TicketFactory(service=service, assignee=agent)
            _flag(DocumentationFlag.Kind.MISSING, service=service)

    some_services()
    with django_assert_max_num_queries(20) as few:
        manager_client.get(PAGE)
    some_services()
    some_services()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(PAGE)

    assert len(response.context["rows"]) == 9


@pytest.mark.parametrize("url", [PAGE, reverse("readiness:go_live", args=[1])])
def test_only_managers_open_the_readiness_page_and_go_live(client, customer_client, agent_client, url):
    assert client.get(url).status_code == 302
    assert customer_client.get(url).status_code == 403
    assert agent_client.get(url).status_code == 403
    assert agent_client.post(url).status_code == 403


def test_reached_from_the_reports_and_knowledge_pages_not_the_top_nav(manager_client):
    for page in (reverse("reports:dashboard"), reverse("knowledge:list")):
        assert f'href="{PAGE}"' in manager_client.get(page).content.decode()
    assert (
        f'href="{PAGE}"'
        not in manager_client.get(reverse("tickets:queue")).content.decode().split("</nav>")[0]
    )
