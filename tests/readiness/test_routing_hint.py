"""The desk's ticket page says who is trained on the ticket's service, and warns when the
assignee is not, in one query."""

import pytest
from django.urls import reverse

from readiness import selectors

from ..accounts.factories import AgentFactory
from ..tickets.factories import TicketFactory
from .test_training import record

pytestmark = pytest.mark.django_db


def test_the_ticket_page_names_the_trained_and_warns_of_an_untrained_assignee(agent_client, agent, service):
    sam = AgentFactory(first_name="Sam", last_name="O")
    priya = AgentFactory(first_name="Priya", last_name="R")
    record(sam, service)
    record(priya, service)
    record(priya, service)  # trained twice: named once
    ticket = TicketFactory(service=service, assignee=agent)

    page = agent_client.get(reverse("tickets:agent_detail", args=[ticket.pk])).content.decode()

    hint = page.split('data-testid="routing-hint"', 1)[1].split("</p>", 1)[0]
    assert f"Trained on {service.name}:" in hint
    assert " ".join(hint.split()).endswith("Priya R, Sam O")
    assert f"{agent.display_name} has no training recorded on {service.name}." in page


def test_no_warning_for_a_trained_assignee_and_nobody_said_when_none_is(agent_client, agent, service):
    record(agent, service)
    trained_ticket = TicketFactory(service=service, assignee=agent)
    untrained_service_ticket = TicketFactory()

    trained_page = agent_client.get(reverse("tickets:agent_detail", args=[trained_ticket.pk]))
    other_page = agent_client.get(reverse("tickets:agent_detail", args=[untrained_service_ticket.pk]))

    assert "has no training recorded" not in trained_page.content.decode()
    assert "no one has training recorded" in other_page.content.decode()


def test_who_is_trained_is_one_query(agent, service, django_assert_num_queries):
    record(agent, service)
    record(AgentFactory(), service)

    with django_assert_num_queries(1):
        assert len(selectors.agents_trained_on(service_id=service.pk)) == 2
