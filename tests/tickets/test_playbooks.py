"""The playbook for each kind of customer, on the agent's ticket page and in the services."""

import pytest
from django.urls import reverse

from customers.models import CustomerCategory, CustomerProfile
from notifications.models import OutboundEmail
from tickets.exceptions import TicketStateError
from tickets.models import Ticket, TicketEvent
from tickets.services import (
    ticket_escalate,
    ticket_fulfil_anyway,
    ticket_root_cause_record,
    ticket_status_change,
    ticket_teach_process,
)

from ..accounts.factories import UserFactory
from .factories import OutOfScopeServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _ticket_for(category: str) -> Ticket:
    ticket = TicketFactory()
    CustomerProfile.objects.create(user=ticket.customer, category=category)
    return ticket


@pytest.mark.parametrize(
    ("category", "heading", "action"),
    [
        (CustomerCategory.GENERAL, "Playbook:\n        general customer", "Teach the process"),
        (CustomerCategory.VIP, "Playbook:\n        VIP", "Do it now"),
        (
            CustomerCategory.REPEAT_OFFENDER,
            "Playbook:\n        repeat offender",
            "Find out why before you resolve",
        ),
    ],
)
def test_the_ticket_page_shows_the_playbook_for_the_customers_category(
    agent_client, category, heading, action
):
    ticket = _ticket_for(category)

    page = agent_client.get(reverse("tickets:agent_detail", args=[ticket.pk])).content.decode()

    assert " ".join(heading.split()) in " ".join(page.split())
    assert action in page


def test_teaching_the_process_replies_with_it_records_why_and_keeps_the_request_open(agent):
    ticket = _ticket_for(CustomerCategory.GENERAL)
    paper = OutOfScopeServiceFactory()

    message = ticket_teach_process(ticket=ticket, by=agent, to_service=paper, called_contact=True)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.root_cause == Ticket.RootCause.DID_NOT_KNOW_PROCESS
    assert paper.form_url in message.body and not message.is_internal
    assert ticket.events.filter(
        kind=TicketEvent.Kind.CONTACT_CALLED, new_value__contains="Fran Facilities"
    ).exists()
    assert OutboundEmail.objects.filter(template="tickets/replied", to_address=ticket.customer.email).exists()


def test_doing_it_now_resolves_and_records_it_as_done_by_it(agent):
    ticket = _ticket_for(CustomerCategory.VIP)

    ticket_fulfil_anyway(ticket=ticket, by=agent, note="Brought two reams of paper to your office.")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.resolution == Ticket.Resolution.FULFILLED_BY_IT
    assert ticket.messages.get().body == "Brought two reams of paper to your office."


def test_a_repeat_offenders_request_needs_its_root_cause_before_resolving(agent):
    ticket = _ticket_for(CustomerCategory.REPEAT_OFFENDER)

    with pytest.raises(TicketStateError, match="record the root cause before resolving"):
        ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED)

    ticket.root_cause = Ticket.RootCause.PROCESS_BROKEN
    ticket.save(update_fields=["root_cause"])
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED)


def test_a_repeat_offenders_genuine_it_request_is_resolved_once_called_that(agent):
    # Not every request of theirs is a bypass: a broken laptop belongs with IT.
    ticket = _ticket_for(CustomerCategory.REPEAT_OFFENDER)

    ticket_root_cause_record(ticket=ticket, by=agent, root_cause=Ticket.RootCause.IT_WORK)
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED


def test_playbook_actions_from_the_page(agent_client):
    ticket = _ticket_for(CustomerCategory.GENERAL)
    paper = OutOfScopeServiceFactory()

    agent_client.post(reverse("tickets:agent_root_cause", args=[ticket.pk]), {"root_cause": "process_broken"})
    ticket.refresh_from_db()
    assert ticket.root_cause == "process_broken"

    response = agent_client.post(reverse("tickets:agent_teach", args=[ticket.pk]), {"to_service": paper.pk})
    assert response.status_code == 302
    assert ticket.messages.count() == 1


def test_playbook_panels_load_when_opened_and_work_without_javascript(agent_client):
    ticket = _ticket_for(CustomerCategory.VIP)
    url = reverse("tickets:agent_detail", args=[ticket.pk])

    panel = agent_client.get(url, {"panel": "fulfil"}, headers={"HX-Request": "true"}).content.decode()
    without_js = agent_client.get(url, {"panel": "fulfil"}).content.decode()

    assert "What you did (the customer sees this)" in panel
    assert "What you did (the customer sees this)" in without_js


def test_customers_cannot_use_playbook_actions(customer_client, customer):
    ticket = TicketFactory(customer=customer)

    for action in ("agent_root_cause", "agent_teach", "agent_fulfil"):
        response = customer_client.post(reverse(f"tickets:{action}", args=[ticket.pk]), {"note": "x"})
        assert response.status_code == 403


def test_escalating_a_repeat_offender_asks_it_management_to_talk_to_their_manager(agent, manager):
    line_manager = UserFactory(first_name="Pat", last_name="Boss", email="pat@example.com")
    ticket = _ticket_for(CustomerCategory.REPEAT_OFFENDER)
    CustomerProfile.objects.filter(user=ticket.customer).update(manager=line_manager)

    ticket_escalate(
        ticket=ticket, by=agent, reason="Fourth paper request this month", to_customers_manager=True
    )

    email = OutboundEmail.objects.get(template="tickets/escalated", to_address=manager.email)
    assert "talk to" in email.subject
    assert "Pat Boss (pat@example.com)" in email.body_text
    event = ticket.events.get(kind=TicketEvent.Kind.ESCALATED)
    assert event.new_value == "to the customer's manager, through IT's manager"
