import re

import pytest
from django.urls import reverse

from customers.models import (
    CategoryChange,
    CustomerCategory,
    CustomerProfile,
    RepeatOffenderSuggestion,
    VipDepartment,
)
from tickets.models import Ticket

from ..accounts.factories import AgentFactory, ManagerFactory
from ..hostile import HOSTILE_INPUTS
from ..surveys.factories import answered_survey
from ..tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _url(user) -> str:
    return reverse("customers:detail", args=[user.pk])


def test_the_360_page_is_for_staff_only(client, customer_client, agent_client, manager_client, customer):
    assert agent_client.get(_url(customer)).status_code == 200
    assert manager_client.get(_url(customer)).status_code == 200
    assert customer_client.get(_url(customer)).status_code == 403  # not even their own
    assert client.get(_url(customer)).status_code == 302
    assert agent_client.get(reverse("customers:detail", args=[999_999])).status_code == 404


def test_the_page_shows_tickets_root_causes_and_history(agent_client, customer, manager):
    TicketFactory(customer=customer, title="Paper again", root_cause=Ticket.RootCause.BYPASSED_PROCESS)
    profile = CustomerProfile.objects.create(user=customer, department="Sales", notes="Prefers phone calls")
    CategoryChange.objects.create(
        profile=profile,
        old_category="general",
        new_category="vip",
        changed_by=manager,
        reason="Board member",
        created_at=profile.user.date_joined,
    )

    page = agent_client.get(_url(customer)).content.decode()

    assert "Paper again" in page
    assert "Chose to bypass the process" in page
    assert "Board member" in page
    assert "Prefers phone calls" in page


def test_agents_edit_the_profile_but_not_the_category(agent_client, customer):
    response = agent_client.post(
        reverse("customers:profile_edit", args=[customer.pk]),
        {"department": "Sales", "location": "Leeds", "phone": "123", "manager": "", "notes": "Night shift"},
    )
    assert response.status_code == 302
    assert CustomerProfile.objects.get(user=customer).location == "Leeds"

    refused = agent_client.post(
        reverse("customers:category_edit", args=[customer.pk]), {"category": "repeat_offender", "reason": "x"}
    )
    assert refused.status_code == 403
    assert CustomerProfile.objects.get(user=customer).category == CustomerCategory.GENERAL
    assert "Change the category" not in agent_client.get(_url(customer)).content.decode()


def test_an_agent_ticking_senior_executive_changes_nothing(agent_client, customer):
    response = agent_client.post(
        reverse("customers:profile_edit", args=[customer.pk]),
        {"department": "Sales", "location": "Leeds", "is_senior_executive": "on", "notes": "Board member"},
    )

    assert response.status_code == 302  # the read-only field keeps its value; the rest is saved
    profile = CustomerProfile.objects.get(user=customer)
    assert (profile.is_senior_executive, profile.category, profile.location) == (False, "general", "Leeds")
    assert not CategoryChange.objects.exists()
    page = agent_client.get(_url(customer)).content.decode()
    assert re.search(r'<input[^>]*name="is_senior_executive"[^>]*disabled', page)


def test_an_agent_moving_someone_into_a_vip_department_is_told_why_at_the_field(agent_client, customer):
    VipDepartment.objects.create(name="Board office")

    response = agent_client.post(
        reverse("customers:profile_edit", args=[customer.pk]),
        {"department": "Board office", "location": "Leeds", "notes": "Typed notes"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error_1_id_department"' in page
    assert "Only IT managers can move someone into or out of a VIP department." in page
    assert "Typed notes" in page
    assert CustomerProfile.objects.get(user=customer).category == CustomerCategory.GENERAL


def test_a_managers_edit_that_makes_a_vip_records_the_manager(manager_client, manager, customer):
    response = manager_client.post(
        reverse("customers:profile_edit", args=[customer.pk]), {"is_senior_executive": "on"}
    )

    assert response.status_code == 302
    change = CategoryChange.objects.get()
    assert (change.new_category, change.changed_by) == ("vip", manager)
    assert change.reason == "Rule: senior executive"


def test_managers_change_the_category_from_the_page(manager_client, customer):
    response = manager_client.post(
        reverse("customers:category_edit", args=[customer.pk]), {"category": "vip", "reason": "New CFO"}
    )

    assert response.status_code == 302
    assert CustomerProfile.objects.get(user=customer).category == CustomerCategory.VIP


def test_a_category_change_without_a_reason_is_refused_at_the_field(manager_client, customer):
    response = manager_client.post(
        reverse("customers:category_edit", args=[customer.pk]), {"category": "vip"}
    )

    assert response.status_code == 400
    assert 'id="error_1_id_reason"' in response.content.decode()


def test_an_unknown_manager_address_is_refused_and_the_rest_kept(agent_client, customer):
    response = agent_client.post(
        reverse("customers:profile_edit", args=[customer.pk]),
        {"department": "Warehouse", "manager": "nobody@example.com"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "No active account uses this address." in page
    assert 'value="Warehouse"' in page


def test_managers_decide_suggestions_from_the_page(manager_client, customer):
    profile = CustomerProfile.objects.create(user=customer)
    suggestion = RepeatOffenderSuggestion.objects.create(
        profile=profile, bypass_count=3, window_days=90, created_at=customer.date_joined
    )
    assert "Suggested: repeat offender" in manager_client.get(_url(customer)).content.decode()

    manager_client.post(
        reverse("customers:suggestion_decide", args=[suggestion.pk]),
        {"decision": "dismiss", "reason": "Broken form"},
    )

    suggestion.refresh_from_db()
    assert suggestion.status == RepeatOffenderSuggestion.Status.DISMISSED
    assert CustomerProfile.objects.get(user=customer).category == CustomerCategory.GENERAL


def test_agents_cannot_decide_suggestions_from_the_page(agent_client, customer):
    profile = CustomerProfile.objects.create(user=customer)
    suggestion = RepeatOffenderSuggestion.objects.create(
        profile=profile, bypass_count=3, window_days=90, created_at=customer.date_joined
    )

    response = agent_client.post(
        reverse("customers:suggestion_decide", args=[suggestion.pk]), {"decision": "confirm", "reason": "x"}
    )

    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == RepeatOffenderSuggestion.Status.PENDING


def test_the_page_runs_a_constant_number_of_queries(agent_client, customer, django_assert_max_num_queries):
    CustomerProfile.objects.create(user=customer)
    TicketFactory.create_batch(30, customer=customer)

    with django_assert_max_num_queries(16):  # 14, and the grades: the latest and their report card
        response = agent_client.get(_url(customer))

    assert response.status_code == 200
    assert len(response.context["overview"].requests.recent) == 30


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_profile_text_is_kept_and_shown_inert(agent_client, customer, hostile):
    typed = hostile.replace("\0", "")
    agent_client.post(
        reverse("customers:profile_edit", args=[customer.pk]),
        {"department": typed[:100], "location": typed[:100], "notes": typed},
    )

    page = agent_client.get(_url(customer)).content.decode()
    assert CustomerProfile.objects.get(user=customer).notes == typed.strip()
    assert "<script>alert(1)</script>" not in page
    assert not re.search(r"<img src=x onerror", page)


def test_the_page_shows_the_grades_they_gave(client, customer):
    agent = AgentFactory()
    graded = answered_survey(grade="D", agent=agent, customer=customer, comment="Took a week")
    answered_survey(grade="A", customer=customer)
    answered_survey(grade="F", comment="Someone else's grade")

    client.force_login(agent)
    page = client.get(_url(customer)).content.decode()

    assert "Grades they gave" in page
    assert "Took a week" in page and "Someone else" not in page
    assert graded.ticket.reference in page
    assert "2.50" in page  # GPA of A and D
    assert f"resolved by {agent.display_name}" not in page  # who earned it: managers only

    client.force_login(ManagerFactory())
    assert f"resolved by {agent.display_name}" in client.get(_url(customer)).content.decode()
