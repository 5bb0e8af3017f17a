import pytest
from django.urls import reverse

from tickets.models import CannedResponse

from ..accounts.factories import AgentFactory
from .factories import TicketFactory

pytestmark = pytest.mark.django_db


def _check_in(client, ticket, *, replying: bool):
    return client.post(
        reverse("tickets:agent_presence", args=[ticket.pk]), {"replying": "true" if replying else "false"}
    ).content.decode()


def test_an_agent_is_told_when_another_is_replying(client, agent_client):
    ticket = TicketFactory()
    other = AgentFactory(first_name="Priya", last_name="Raman")
    client.force_login(other)

    assert "has this ticket open" not in _check_in(agent_client, ticket, replying=False)
    _check_in(client, ticket, replying=True)

    notice = _check_in(agent_client, ticket, replying=False)
    assert "Priya Raman is replying to this ticket right now." in notice


def test_viewing_without_replying_is_a_gentler_notice(client, agent_client):
    ticket = TicketFactory()
    client.force_login(AgentFactory(first_name="Sam", last_name="Okafor"))
    _check_in(client, ticket, replying=False)

    assert "Sam Okafor has this ticket open too." in _check_in(agent_client, ticket, replying=True)


def test_presence_is_for_agents_only(customer_client):
    response = customer_client.post(reverse("tickets:agent_presence", args=[TicketFactory().pk]))

    assert response.status_code == 403


def test_canned_responses_are_offered_on_the_reply_form(agent_client):
    CannedResponse.objects.create(title="Restart first", body="Please restart <b>it</b>.")
    CannedResponse.objects.create(title="Retired", body="x", is_active=False)

    page = agent_client.get(reverse("tickets:agent_detail", args=[TicketFactory().pk])).content.decode()

    assert "Restart first" in page
    assert 'data-body="Please restart &lt;b&gt;it&lt;/b&gt;."' in page
    assert "Retired" not in page


def test_managers_keep_the_catalog_in_the_admin_and_only_read_tickets(manager_client, agent_client):
    ticket = TicketFactory()

    assert manager_client.get(reverse("admin:tickets_service_add")).status_code == 200
    assert manager_client.get(reverse("admin:tickets_slapolicy_changelist")).status_code == 200
    assert manager_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).status_code == 200
    assert manager_client.get(reverse("admin:tickets_ticket_delete", args=[ticket.pk])).status_code == 403
    assert agent_client.get(reverse("admin:tickets_service_changelist")).status_code == 302
