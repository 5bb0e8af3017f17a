"""Broken processes get fixed: escalated from a request, ranked for managers, and every customer
a process turned away hears when it changes, exactly once."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from tickets.exceptions import TicketStateError
from tickets.models import ProcessImprovement, Ticket
from tickets.services import (
    process_escalate,
    process_fixed_followups_send,
    process_followups_unsent,
    process_improvement_complete,
    ticket_redirect,
)

from ..accounts.factories import AgentFactory, CustomerFactory
from ..waiting import wait_until
from .factories import OutOfScopeServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_escalating_a_process_proposes_a_fix_and_tells_the_managers(agent, manager):
    ticket = TicketFactory()
    paper = OutOfScopeServiceFactory()

    improvement = process_escalate(
        ticket=ticket, by=agent, process=paper, suggested_fix="Let people order by e-mail"
    )

    ticket.refresh_from_db()
    assert ticket.root_cause == Ticket.RootCause.PROCESS_BROKEN
    assert ticket.cited_process == paper
    assert improvement.status == ProcessImprovement.Status.PROPOSED
    assert OutboundEmail.objects.get(template="tickets/process_escalated").to_address == manager.email


def test_the_register_ranks_processes_by_customers_turned_away(manager_client, agent):
    paper, badges = OutOfScopeServiceFactory(name="Paper"), OutOfScopeServiceFactory(name="Badges")
    for customer in CustomerFactory.create_batch(3):
        ticket_redirect(
            ticket=TicketFactory(customer=customer), by=agent, to_service=badges, root_cause="bypassed"
        )
    ticket_redirect(ticket=TicketFactory(), by=agent, to_service=paper, root_cause="did_not_know")

    page = manager_client.get(reverse("tickets:process_register")).content.decode()

    assert page.index("Badges") < page.index("Paper")
    assert "<strong>3</strong> customers turned away or bypassing" in page


def test_the_register_is_for_managers_only(agent_client, customer_client):
    assert agent_client.get(reverse("tickets:process_register")).status_code == 403
    assert customer_client.get(reverse("tickets:process_register")).status_code == 403


def test_each_customer_the_process_turned_away_hears_once_what_changed(agent, manager):
    paper = OutOfScopeServiceFactory()
    alice, bob = CustomerFactory(), CustomerFactory()
    for customer in (alice, alice, bob):
        ticket_redirect(
            ticket=TicketFactory(customer=customer), by=agent, to_service=paper, root_cause="bypassed"
        )
    improvement = process_escalate(
        ticket=TicketFactory(customer=bob), by=agent, process=paper, suggested_fix="x"
    )
    process_improvement_complete(
        improvement=improvement, by=manager, what_changed="Paper now ordered by e-mail."
    )

    assert process_fixed_followups_send(improvement_id=improvement.pk) == 2
    process_fixed_followups_send(improvement_id=improvement.pk)  # a second delivery of the task

    followups = OutboundEmail.objects.filter(template="tickets/process_fixed")
    assert sorted(followups.values_list("to_address", flat=True)) == sorted([alice.email, bob.email])
    assert "Paper now ordered by e-mail." in followups.first().body_text


def test_marking_done_sends_the_followups_through_a_real_worker(celery_worker, manager_client, agent):
    paper = OutOfScopeServiceFactory()
    customer = CustomerFactory()
    improvement = process_escalate(
        ticket=TicketFactory(customer=customer),
        by=AgentFactory(),
        process=paper,
        suggested_fix="Simplify the form",
    )

    manager_client.post(
        reverse("tickets:improvement_done", args=[improvement.pk]), {"what_changed": "Two fields now."}
    )

    wait_until(
        lambda: OutboundEmail.objects.filter(
            template="tickets/process_fixed", to_address=customer.email
        ).exists(),
        message="the process-fixed follow-up",
    )


def test_a_done_improvement_cannot_be_done_again(manager, agent):
    improvement = process_escalate(
        ticket=TicketFactory(), by=agent, process=OutOfScopeServiceFactory(), suggested_fix="x"
    )
    process_improvement_complete(improvement=improvement, by=manager, what_changed="y")

    with pytest.raises(TicketStateError):
        process_improvement_complete(improvement=improvement, by=manager, what_changed="again")


def test_escalate_the_process_from_the_playbook(agent_client):
    ticket = TicketFactory()
    paper = OutOfScopeServiceFactory()

    response = agent_client.post(
        reverse("tickets:agent_process_escalate", args=[ticket.pk]),
        {"process": paper.pk, "suggested_fix": "E-mail orders"},
    )

    assert response.status_code == 302
    assert ProcessImprovement.objects.get().suggested_fix == "E-mail orders"


def test_followups_the_broker_never_got_are_sent_by_the_scan(agent, manager):
    paper = OutOfScopeServiceFactory()
    customer = CustomerFactory()
    improvement = process_escalate(
        ticket=TicketFactory(customer=customer), by=agent, process=paper, suggested_fix="Simplify"
    )
    process_improvement_complete(improvement=improvement, by=manager, what_changed="One field now.")
    # No on-commit publish ran here (the test's transaction never commits): as if the broker was down.

    assert process_followups_unsent(now=timezone.now() + timedelta(minutes=5)) == 1
    assert process_followups_unsent(now=timezone.now() + timedelta(minutes=5)) == 0
    assert (
        OutboundEmail.objects.filter(template="tickets/process_fixed", to_address=customer.email).count() == 1
    )


def test_judging_a_process_is_audited_with_who_did_it(manager_client, manager):
    paper = OutOfScopeServiceFactory()

    response = manager_client.post(reverse("tickets:process_health", args=[paper.pk]), {"health": "broken"})
    manager_client.post(reverse("tickets:process_health", args=[paper.pk]), {"health": "broken"})  # no change

    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.process_health == "broken"
    (entry,) = LogEntry.objects.filter(object_id=str(paper.pk))
    assert entry.user == manager
    assert entry.action_flag == CHANGE
    assert "Works → Broken" in entry.get_change_message()
