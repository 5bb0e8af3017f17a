"""The customer portal, page by page and role by role."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets.models import Ticket, TicketMessage

from ..accounts.factories import CustomerFactory
from ..hostile import HOSTILE_INPUTS
from .factories import OutOfScopeServiceFactory, ServiceFactory, TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db

PORTAL_PAGES = ["tickets:my_requests", "tickets:submit"]


@pytest.mark.parametrize("page", PORTAL_PAGES)
def test_portal_pages_are_for_customers(client, customer_client, agent_client, manager_client, page):
    url = reverse(page)

    assert customer_client.get(url).status_code == 200
    assert agent_client.get(url).status_code == 403
    assert manager_client.get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_catalog_shows_what_it_does_and_who_does_the_rest(customer_client, agent_client, client):
    ServiceFactory(name="Laptops and desktops")
    OutOfScopeServiceFactory(
        name="Printer paper", owning_department="Facilities", contact_phone="+44 20 7946 0000"
    )

    page = customer_client.get(reverse("tickets:catalog")).content.decode()

    assert "Laptops and desktops" in page
    assert "Printer paper" in page
    assert "Facilities" in page
    assert "+44 20 7946 0000" in page
    assert agent_client.get(reverse("tickets:catalog")).status_code == 200
    assert client.get(reverse("tickets:catalog")).status_code == 302


def test_out_of_scope_entry_explains_the_official_process(customer_client):
    service = OutOfScopeServiceFactory()

    page = customer_client.get(service.get_absolute_url()).content.decode()

    assert "IT does not do this: Facilities does" in page
    assert "Open the Facilities order form." in page
    assert service.form_url in page
    assert "Fran Facilities" in page


def test_inactive_or_unknown_catalog_entries_are_404(customer_client):
    hidden = ServiceFactory(is_active=False)

    assert customer_client.get(hidden.get_absolute_url()).status_code == 404
    assert customer_client.get(reverse("tickets:catalog_detail", args=["nope"])).status_code == 404


def test_submit_form_states_the_expectation_before_sending(customer_client):
    ServiceFactory()

    page = customer_client.get(reverse("tickets:submit")).content.decode()

    assert "What you can expect" in page
    assert re.search(r"A first answer by <strong>\w+day \d+ \w+, \d\d:\d\d</strong>", page)


def test_expectation_follows_urgency_and_impact(customer_client):
    url = reverse("tickets:submit_expectation")

    urgent = customer_client.get(url, {"urgency": "high", "impact": "high"}).content.decode()
    relaxed = customer_client.get(url, {"urgency": "low", "impact": "low"}).content.decode()

    assert "What you can expect" in urgent
    assert urgent != relaxed


def test_submitting_a_request_creates_it_and_shows_it(customer_client, customer):
    service = ServiceFactory()

    response = customer_client.post(
        reverse("tickets:submit"),
        {
            "service": service.pk,
            "title": "VPN drops",
            "description": "Every **hour**.",
            "urgency": "high",
            "impact": "low",
        },
        follow=True,
    )

    ticket = Ticket.objects.get()
    assert ticket.customer == customer
    assert response.redirect_chain[-1][0] == ticket.get_absolute_url()
    page = response.content.decode()
    assert f"Your request {ticket.reference} is with IT." in page
    assert "<strong>hour</strong>" in page


def test_a_bad_submission_keeps_what_was_typed_and_points_at_the_field(customer_client):
    ServiceFactory()

    response = customer_client.post(
        reverse("tickets:submit"),
        {"service": "", "title": "Printer jams", "description": "", "urgency": "medium", "impact": "low"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Printer jams"' in page
    assert 'id="error_1_id_description"' in page
    assert 'id="error_1_id_service"' in page
    assert not Ticket.objects.exists()


def test_my_requests_lists_only_mine(customer_client, customer):
    mine = TicketFactory(customer=customer, title="My laptop")
    TicketFactory(title="Someone else's phone")

    page = customer_client.get(reverse("tickets:my_requests")).content.decode()

    assert mine.title in page
    assert "Someone else" not in page


def test_my_requests_runs_constant_queries(customer_client, customer, django_assert_max_num_queries):
    TicketFactory.create_batch(30, customer=customer)

    # session, user, permissions (2), count for the paginator, tickets with their service
    with django_assert_max_num_queries(6):
        response = customer_client.get(reverse("tickets:my_requests"))

    assert response.status_code == 200
    assert response.content.decode().count('class="badge status-badge') == 25


def test_someone_elses_request_is_a_404_everywhere(customer_client):
    other = TicketFactory(customer=CustomerFactory())

    assert customer_client.get(other.get_absolute_url()).status_code == 404
    assert customer_client.post(reverse("tickets:reply", args=[other.pk]), {"body": "hi"}).status_code == 404
    assert (
        customer_client.post(reverse("tickets:reopen", args=[other.pk]), {"reason": "x"}).status_code == 404
    )
    assert not TicketMessage.objects.exists()


def test_agents_use_their_own_ticket_page_not_the_portal(agent_client):
    ticket = TicketFactory()

    answer = agent_client.get(ticket.get_absolute_url())

    # Not the portal page: the customer's link takes them to the desk's (issue 13, item 13).
    assert answer.status_code == 302
    assert answer["Location"] == reverse("tickets:agent_detail", kwargs={"pk": ticket.pk})


def test_internal_notes_never_reach_the_customer_page(customer_client, customer, agent):
    ticket = TicketFactory(customer=customer)
    TicketMessageFactory(ticket=ticket, author=agent, body="Public: try restarting it.")
    TicketMessageFactory(ticket=ticket, author=agent, body="INTERNAL: this user again", is_internal=True)

    page = customer_client.get(ticket.get_absolute_url()).content.decode()

    assert "try restarting it" in page
    assert "INTERNAL" not in page


def test_customer_replies_from_the_page(customer_client, customer):
    ticket = TicketFactory(customer=customer)

    response = customer_client.post(
        reverse("tickets:reply", args=[ticket.pk]), {"body": "Still broken"}, follow=True
    )

    assert "Your reply has been sent." in response.content.decode()
    assert ticket.messages.get().body == "Still broken"


def test_an_empty_reply_is_refused_at_the_field(customer_client, customer):
    ticket = TicketFactory(customer=customer)

    response = customer_client.post(reverse("tickets:reply", args=[ticket.pk]), {"body": ""})

    assert response.status_code == 400
    assert 'id="error_1_id_body"' in response.content.decode()


def test_a_resolved_request_can_be_reopened_from_the_page(customer_client, customer):
    ticket = TicketFactory(
        customer=customer,
        status=Ticket.Status.RESOLVED,
        resolved_at=timezone.now() - timedelta(days=1),
        sla_paused_at=timezone.now() - timedelta(days=1),
    )

    page = customer_client.get(ticket.get_absolute_url()).content.decode()
    assert "Reopen this request" in page

    customer_client.post(reverse("tickets:reopen", args=[ticket.pk]), {"reason": "It broke again"})

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_reopen_too_late_says_why_and_keeps_the_reason(customer_client, customer, settings):
    ticket = TicketFactory(
        customer=customer,
        status=Ticket.Status.RESOLVED,
        resolved_at=timezone.now() - timedelta(days=30),
        sla_paused_at=timezone.now() - timedelta(days=30),
    )

    response = customer_client.post(reverse("tickets:reopen", args=[ticket.pk]), {"reason": "It broke again"})

    assert response.status_code == 400
    page = response.content.decode()
    assert f"more than {settings.TICKET_REOPEN_DAYS} days ago" in page


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_text_in_a_request_renders_inert(customer_client, customer, hostile):
    typed = hostile.replace("\0", "")
    ticket = TicketFactory(customer=customer, title=typed[:200], description=typed)
    TicketMessageFactory(ticket=ticket, author=customer, body=typed)

    for url in (ticket.get_absolute_url(), reverse("tickets:my_requests"), reverse("core:home")):
        page = customer_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x onerror" not in page
        assert "<svg onload" not in page
        assert '<a href="javascript:' not in page.lower()  # typed markup shows as text, never as a link


def test_choosing_an_out_of_scope_service_shows_who_does_it_before_sending(customer_client):
    paper = OutOfScopeServiceFactory()
    laptops = ServiceFactory()
    url = reverse("tickets:submit_expectation")

    guidance = customer_client.get(url, {"service": paper.pk}).content.decode()
    nothing = customer_client.get(url, {"service": laptops.pk}).content.decode()

    assert "Facilities looks after this, not IT" in guidance
    assert paper.form_url in guidance
    assert "looks after this" not in nothing
    assert customer_client.get(url, {"service": "nope"}).status_code == 200


def test_the_guidance_also_shows_when_the_form_comes_back_with_errors(customer_client):
    paper = OutOfScopeServiceFactory()

    response = customer_client.post(reverse("tickets:submit"), {"service": paper.pk, "title": ""})

    assert "Facilities looks after this, not IT" in response.content.decode()
