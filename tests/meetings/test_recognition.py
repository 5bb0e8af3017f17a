"""Recognition: an A with a comment is kudos on the agent's own report card, and the managers
nominate agents for the quarter's awards from the kudos."""

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import MeetingEvent, Nomination
from reports.periods import quarter_start

from ..accounts.factories import AgentFactory
from ..surveys.factories import answered_survey

pytestmark = pytest.mark.django_db


def test_an_agent_sees_their_kudos_on_their_own_report_card(client):
    sam = AgentFactory()
    answered_survey(grade="A", agent=sam, comment="Sam stayed until it worked")
    answered_survey(grade="A", agent=sam)  # no comment: a grade, not kudos
    answered_survey(grade="B", agent=sam, comment="Good enough")
    answered_survey(grade="A", comment="Someone else's praise")
    client.force_login(sam)

    response = client.get(reverse("reports:agent_card_mine"))

    assert [survey.comment for survey in response.context["kudos"]] == ["Sam stayed until it worked"]
    assert "data-kudos" in response.content.decode()


def test_a_manager_nominates_an_agent_for_the_quarter_and_the_list_groups_by_agent(manager_client, manager):
    sam, kim = AgentFactory(first_name="Sam"), AgentFactory(first_name="Kim")
    praised = [answered_survey(grade="A", agent=sam, comment=f"Thanks {n}") for n in range(2)]
    kims = answered_survey(grade="A", agent=kim, comment="Kim rocks")

    for survey in [*praised, kims, praised[0]]:  # the last one twice: nominated once
        manager_client.post(reverse("meetings:nomination_add"), {"survey": survey.pk})
    response = manager_client.get(reverse("meetings:nominations"))

    quarter = quarter_start(timezone.localdate())
    assert Nomination.objects.filter(quarter=quarter).count() == 3
    assert [(agent, len(items)) for agent, items in response.context["nominees"]] == [(sam, 2), (kim, 1)]
    assert MeetingEvent.objects.filter(kind=MeetingEvent.Kind.NOMINATED, actor=manager).count() == 3


def test_only_an_a_with_a_comment_can_be_nominated(manager_client):
    plain = answered_survey(grade="A")
    poor = answered_survey(grade="D", comment="Slow")

    for survey in (plain, poor):
        manager_client.post(reverse("meetings:nomination_add"), {"survey": survey.pk})

    assert not Nomination.objects.exists()
    assert manager_client.post(reverse("meetings:nomination_add"), {"survey": "x"}).status_code == 404


def test_a_withdrawn_nomination_is_audited(manager_client, manager):
    survey = answered_survey(grade="A", comment="Great")
    manager_client.post(reverse("meetings:nomination_add"), {"survey": survey.pk})

    manager_client.post(reverse("meetings:nomination_withdraw", args=[Nomination.objects.get().pk]))

    assert not Nomination.objects.exists()
    assert MeetingEvent.objects.filter(kind=MeetingEvent.Kind.NOMINATION_WITHDRAWN, actor=manager).exists()


def test_the_nominations_page_runs_constant_queries(manager_client, django_assert_max_num_queries):
    for n in range(2):
        manager_client.post(
            reverse("meetings:nomination_add"), {"survey": answered_survey(grade="A", comment=f"A {n}").pk}
        )
    with django_assert_max_num_queries(30) as few:
        manager_client.get(reverse("meetings:nominations"))
    baseline = len(few.captured_queries)  # read now: the next request empties the query log
    for n in range(10):
        manager_client.post(
            reverse("meetings:nomination_add"), {"survey": answered_survey(grade="A", comment=f"B {n}").pk}
        )

    with django_assert_max_num_queries(baseline):
        response = manager_client.get(reverse("meetings:nominations"))

    assert len(response.context["nominees"]) == 12
