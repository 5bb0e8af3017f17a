from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerProfile, RepeatOffenderSuggestion

from ..accounts.factories import AgentFactory
from ..tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_agent_home_leads_with_their_queue_counts(agent_client, agent):
    TicketFactory.create_batch(2, assignee=agent)
    TicketFactory(assignee=AgentFactory())
    TicketFactory(first_response_due_at=timezone.now() - timedelta(minutes=5))  # unassigned and late

    summary = agent_client.get(reverse("core:home")).context["summary"]

    assert (summary.mine, summary.unassigned, summary.breaching) == (2, 1, 1)


def test_manager_home_shows_the_same_counts(manager_client):
    TicketFactory()

    page = manager_client.get(reverse("core:home")).content.decode()

    assert "waiting for someone to take it" in page


def test_customer_home_lists_their_open_requests_only(customer_client, customer):
    TicketFactory(customer=customer, title="Mine and open")
    TicketFactory(title="Not mine")

    page = customer_client.get(reverse("core:home")).content.decode()

    assert "Mine and open" in page
    assert "Not mine" not in page


def test_manager_home_lists_repeat_offender_suggestions_waiting(manager_client, customer):
    profile = CustomerProfile.objects.create(user=customer)
    RepeatOffenderSuggestion.objects.create(
        profile=profile, bypass_count=3, window_days=90, created_at=timezone.now()
    )

    page = manager_client.get(reverse("core:home")).content.decode()

    assert "Suggested repeat offenders" in page
    assert customer.display_name in page
