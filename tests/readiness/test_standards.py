"""Service standards: each agent acknowledges each one per version; a banner on desk pages until
they have; a major revision asks again; managers see who has read what."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from knowledge.models import Article
from readiness import selectors
from readiness.models import Acknowledgement

from ..accounts.factories import AgentFactory
from .conftest import publish, revise

pytestmark = pytest.mark.django_db

STANDARDS = reverse("readiness:standards")
BANNER = 'data-testid="standards-banner"'


def test_a_new_agent_sees_the_banner_on_desk_pages_until_they_acknowledge(agent_client, agent, standard):
    publish(by=agent, title="Not a standard")  # an ordinary article asks nothing
    assert BANNER in agent_client.get(reverse("tickets:queue")).content.decode()

    response = agent_client.post(reverse("readiness:acknowledge", args=[standard.pk]))

    assert response.status_code == 302
    acknowledgement = Acknowledgement.objects.get()
    assert (acknowledgement.agent, acknowledgement.article, acknowledgement.version_number) == (
        agent,
        standard,
        1,
    )
    assert BANNER not in agent_client.get(reverse("tickets:queue")).content.decode()
    entry = LogEntry.objects.filter(object_id=str(standard.pk)).latest("pk")
    assert (entry.user, entry.change_message) == (agent, "Read and understood version 1.")


def test_a_major_revision_brings_the_banner_back_and_a_minor_one_does_not(
    agent_client, agent, manager, standard
):
    agent_client.post(reverse("readiness:acknowledge", args=[standard.pk]))

    revise(standard, by=manager, is_major=False)
    assert selectors.standards_to_read_count(agent=agent) == 0
    revise(standard, by=manager, is_major=True)

    assert selectors.standards_to_read_count(agent=agent) == 1
    page = agent_client.get(STANDARDS).content.decode()
    assert "I have re-read it" in page and BANNER in page
    agent_client.post(reverse("readiness:acknowledge", args=[standard.pk]))
    assert selectors.standards_to_read_count(agent=agent) == 0
    assert list(
        Acknowledgement.objects.order_by("version_number").values_list("version_number", flat=True)
    ) == [1, 3]


def test_the_banner_is_one_query_and_only_on_desk_pages_for_staff(
    agent_client, customer_client, agent, standard, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert selectors.standards_to_read_count(agent=agent) == 1

    assert BANNER not in agent_client.get(reverse("accounts:password_change")).content.decode()
    assert BANNER not in customer_client.get(reverse("tickets:my_requests")).content.decode()


def test_a_draft_standard_cannot_be_acknowledged_and_asks_nothing(agent_client, agent, standard):
    Article.objects.filter(pk=standard.pk).update(status=Article.Status.DRAFT)

    response = agent_client.post(reverse("readiness:acknowledge", args=[standard.pk]))

    assert response.status_code == 404
    assert selectors.standards_to_read_count(agent=agent) == 0


def test_managers_see_who_has_read_what_and_agents_do_not(
    client, manager_client, agent, manager, standard, django_assert_max_num_queries
):
    colleague = AgentFactory(first_name="Zed")
    client.force_login(colleague)
    client.post(reverse("readiness:acknowledge", args=[standard.pk]))
    second = publish(by=manager, kind=Article.Kind.STANDARD, title="When to escalate")
    AgentFactory.create_batch(10)

    with django_assert_max_num_queries(9) as few:
        response = manager_client.get(STANDARDS)
    AgentFactory.create_batch(10)
    publish(by=manager, kind=Article.Kind.STANDARD, title="VIPs")
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(STANDARDS)

    standards, rows = response.context["matrix_standards"], response.context["matrix_rows"]
    assert [s.title for s in standards] == ["How we greet", "When to escalate"]
    states = {row.agent: row.states for row in rows}
    assert states[colleague] == [selectors.ReadState.READ, selectors.ReadState.UNREAD]
    assert states[agent] == [selectors.ReadState.UNREAD, selectors.ReadState.UNREAD]
    assert second.title in response.content.decode()
    agent_page = client.get(STANDARDS)
    assert "matrix_rows" not in agent_page.context and "Who has read what" not in agent_page.content.decode()


@pytest.mark.parametrize(
    ("url", "method"), [(STANDARDS, "get"), (reverse("readiness:acknowledge", args=[1]), "post")]
)
def test_customers_and_visitors_are_kept_out_of_the_standards(client, customer_client, url, method):
    assert getattr(client, method)(url).status_code == 302
    assert getattr(customer_client, method)(url).status_code == 403
