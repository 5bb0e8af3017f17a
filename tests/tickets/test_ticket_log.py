"""An agent logs a request for a caller or a visitor: found by name or address, or given an account
on the spot, then everything follows as if they had sent it, with how it came and who logged it."""

import pytest
from django.urls import reverse

from accounts.models import AccountEvent, User
from notifications.models import OutboundEmail
from tickets.models import Ticket, TicketEvent

from ..accounts.factories import CustomerFactory
from ..hostile import HOSTILE_INPUTS
from .factories import ServiceFactory

pytestmark = pytest.mark.django_db

FIND = reverse("tickets:agent_log_customer")


def test_an_agent_finds_the_caller_by_part_of_their_name_or_address(agent_client):
    alice = CustomerFactory(first_name="Alice", last_name="Moreau", email="alice.moreau@example.com")
    CustomerFactory(first_name="Bob", last_name="Stone")

    by_name = agent_client.get(FIND, {"q": "alice mor"}).content.decode()
    by_address = agent_client.get(FIND, {"q": "moreau@exa"}).content.decode()
    nobody = agent_client.get(FIND, {"q": "<zz>"}).content.decode()

    for page in (by_name, by_address):
        assert reverse("tickets:agent_log", args=[alice.pk]) in page
        assert "Bob Stone" not in page
    assert "Nobody matches “&lt;zz&gt;”" in nobody


def test_a_phone_request_is_logged_with_its_channel_and_the_usual_confirmation(agent_client, agent):
    customer = CustomerFactory()
    service = ServiceFactory()

    response = agent_client.post(
        reverse("tickets:agent_log", args=[customer.pk]),
        {
            "channel": "phone",
            "service": service.pk,
            "title": "Cannot print",
            "description": "Called at 9:10.",
            "urgency": "high",
            "impact": "low",
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == reverse("tickets:agent_detail", args=[ticket.pk])
    assert (ticket.customer, ticket.channel, ticket.urgency) == (customer, Ticket.Channel.PHONE, "high")
    created = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.CREATED)
    assert (created.actor, created.new_value) == (agent, "Phone")
    assert OutboundEmail.objects.filter(
        idempotency_key=f"ticket-created:{ticket.pk}", to_address=customer.email
    )
    assert ticket.resolution_due_at is not None


def test_a_refused_log_keeps_what_was_typed_next_to_the_field(agent_client):
    customer = CustomerFactory()

    response = agent_client.post(
        reverse("tickets:agent_log", args=[customer.pk]),
        {"channel": "walk_in", "title": "", "description": "Came by <b>in person</b>", "urgency": "low"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Came by &lt;b&gt;in person&lt;/b&gt;" in page
    assert "This field is required" in page
    assert not Ticket.objects.exists()


def test_a_caller_without_an_account_gets_one_on_the_spot(agent_client, agent):
    response = agent_client.post(
        FIND, {"first_name": "Nina", "last_name": "Berg", "email": "Nina@Example.com"}
    )

    nina = User.objects.get(email__iexact="nina@example.com")
    assert response.url == reverse("tickets:agent_log", args=[nina.pk])
    assert not nina.has_usable_password()
    assert AccountEvent.objects.get(user=nina, kind=AccountEvent.Kind.CREATED).actor == agent
    again = agent_client.post(FIND, {"first_name": "N", "last_name": "B", "email": "nina@example.com"})
    assert "Someone already has this address" in again.content.decode()


def test_only_staff_log_requests_and_only_for_customers(client, customer_client, agent_client, agent):
    log_for_agent = reverse("tickets:agent_log", args=[agent.pk])

    assert customer_client.get(FIND).status_code in {403, 404}
    assert client.get(FIND).status_code == 302  # to sign in
    assert agent_client.get(log_for_agent).status_code == 404  # staff are not customers
    assert agent_client.get(reverse("tickets:agent_log", args=[999_999])).status_code == 404


@pytest.mark.parametrize("text", HOSTILE_INPUTS[:40])
def test_hostile_text_in_a_logged_request_is_kept_as_typed(agent_client, text):
    customer = CustomerFactory()
    service = ServiceFactory()

    response = agent_client.post(
        reverse("tickets:agent_log", args=[customer.pk]),
        {"channel": "phone", "service": service.pk, "title": text[:200] or "x", "description": text or "x",
         "urgency": "low", "impact": "low"},
    )  # fmt: skip

    if response.status_code == 302:
        ticket = Ticket.objects.get()
        assert ticket.description == (text or "x")
    else:
        assert response.status_code == 200  # refused with a message, never a 500
