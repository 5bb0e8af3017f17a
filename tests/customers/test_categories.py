"""Categories: set by hand by managers only, by rule for VIPs, and repeat offender only ever
suggested by the system, with every change in the history."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from customers.exceptions import CustomerError
from customers.models import (
    CategoryChange,
    CustomerCategory,
    CustomerProfile,
    RepeatOffenderSuggestion,
    VipDepartment,
)
from customers.services import (
    customer_category_set,
    customer_profile_update,
    repeat_offender_suggestion_check,
    repeat_offender_suggestion_decide,
)
from notifications.models import OutboundEmail
from tickets.models import Ticket
from tickets.services import ticket_redirect

from ..tickets.factories import OutOfScopeServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/London"))


def _profile_update(user, by, **changes):
    fields = {
        "department": "",
        "location": "",
        "phone": "",
        "manager": None,
        "is_senior_executive": False,
        "notes": "",
    }
    return customer_profile_update(user=user, by=by, **{**fields, **changes}, now=NOW)


def _category(user) -> str:
    return CustomerProfile.objects.get(user=user).category


def _bypass(customer, agent, *, days_ago: int):
    ticket = TicketFactory(customer=customer)
    ticket_redirect(
        ticket=ticket,
        by=agent,
        to_service=OutOfScopeServiceFactory(),
        root_cause=Ticket.RootCause.BYPASSED_PROCESS,
        now=NOW - timedelta(days=days_ago),
    )


def test_managers_set_a_category_with_a_reason_and_it_is_recorded(customer, manager):
    customer_category_set(user=customer, by=manager, category=CustomerCategory.VIP, reason="New CFO", now=NOW)

    change = CategoryChange.objects.get()
    assert (change.old_category, change.new_category, change.changed_by, change.reason) == (
        "general",
        "vip",
        manager,
        "New CFO",
    )
    assert _category(customer) == CustomerCategory.VIP


def test_agents_cannot_set_any_category(customer, agent):
    with pytest.raises(CustomerError, match="Only IT managers"):
        customer_category_set(user=customer, by=agent, category=CustomerCategory.REPEAT_OFFENDER, reason="x")

    assert not CategoryChange.objects.exists()


def test_senior_executives_become_vips_by_rule_and_stop_when_the_rule_stops(customer, manager):
    _profile_update(customer, manager, is_senior_executive=True)

    assert _category(customer) == CustomerCategory.VIP
    change = CategoryChange.objects.get()
    assert (change.changed_by, change.reason) == (manager, "Rule: senior executive")

    _profile_update(customer, manager, is_senior_executive=False)

    assert _category(customer) == CustomerCategory.GENERAL
    undone = CategoryChange.objects.first()
    assert (undone.changed_by, undone.reason) == (manager, "Rule: no VIP rule applies any more")


def test_members_of_a_vip_department_become_vips(customer, manager):
    VipDepartment.objects.create(name="Board office")

    _profile_update(customer, manager, department="board office")

    assert _category(customer) == CustomerCategory.VIP
    change = CategoryChange.objects.get()
    assert (change.changed_by, change.reason) == (manager, "Rule: member of board office")


def test_agents_cannot_make_someone_a_senior_executive(customer, agent):
    with pytest.raises(CustomerError, match="Only IT managers"):
        _profile_update(customer, agent, is_senior_executive=True)

    assert not CategoryChange.objects.exists()
    assert not CustomerProfile.objects.filter(user=customer, is_senior_executive=True).exists()


def test_agents_cannot_move_someone_into_or_out_of_a_vip_department(customer, agent, manager):
    VipDepartment.objects.create(name="Board office")

    with pytest.raises(CustomerError, match="VIP department"):
        _profile_update(customer, agent, department="Board office")
    assert not CategoryChange.objects.exists()

    _profile_update(customer, manager, department="Board office")
    with pytest.raises(CustomerError, match="VIP department"):
        _profile_update(customer, agent, department="Finance")
    assert _category(customer) == CustomerCategory.VIP


def test_agents_still_edit_contact_details_and_notes(customer, agent, manager):
    VipDepartment.objects.create(name="Board office")
    _profile_update(customer, manager, department="Board office", is_senior_executive=True)

    _profile_update(
        customer,
        agent,
        department="board office",  # unchanged but for case
        is_senior_executive=True,
        location="Leeds",
        phone="0113 496 0000",
        notes="Prefers calls",
    )

    profile = CustomerProfile.objects.get(user=customer)
    assert (profile.location, profile.phone, profile.notes) == ("Leeds", "0113 496 0000", "Prefers calls")
    assert profile.category == CustomerCategory.VIP


def test_rules_never_override_a_managers_choice(customer, manager):
    customer_category_set(
        user=customer, by=manager, category=CustomerCategory.REPEAT_OFFENDER, reason="x", now=NOW
    )
    _profile_update(customer, manager, is_senior_executive=True)
    assert _category(customer) == CustomerCategory.REPEAT_OFFENDER

    customer_category_set(user=customer, by=manager, category=CustomerCategory.VIP, reason="By hand", now=NOW)
    _profile_update(customer, manager, is_senior_executive=False)
    assert _category(customer) == CustomerCategory.VIP  # set by hand: stays


def test_three_bypasses_in_ninety_days_suggest_repeat_offender_to_managers(customer, agent, manager):
    _bypass(customer, agent, days_ago=300)  # long before the 90-day window
    _bypass(customer, agent, days_ago=60)
    _bypass(customer, agent, days_ago=30)
    assert not RepeatOffenderSuggestion.objects.exists()

    _bypass(customer, agent, days_ago=1)

    suggestion = RepeatOffenderSuggestion.objects.get()
    assert suggestion.bypass_count == 3
    assert _category(customer) == CustomerCategory.GENERAL  # never set by itself
    assert (
        OutboundEmail.objects.filter(
            to_address=manager.email, template="customers/repeat_offender_suggested"
        ).count()
        == 1
    )


def test_other_root_causes_do_not_count(customer, agent):
    for _ in range(4):
        ticket_redirect(
            ticket=TicketFactory(customer=customer),
            by=agent,
            to_service=OutOfScopeServiceFactory(),
            root_cause=Ticket.RootCause.DID_NOT_KNOW_PROCESS,
            now=NOW,
        )

    assert not RepeatOffenderSuggestion.objects.exists()


def test_a_manager_confirms_and_the_category_follows(customer, agent, manager):
    for days in (3, 2, 1):
        _bypass(customer, agent, days_ago=days)
    suggestion = RepeatOffenderSuggestion.objects.get()

    repeat_offender_suggestion_decide(
        suggestion=suggestion, by=manager, confirm=True, reason="Talked to them", now=NOW
    )

    assert _category(customer) == CustomerCategory.REPEAT_OFFENDER
    assert CategoryChange.objects.get().reason == "Talked to them"
    with pytest.raises(CustomerError, match="already been decided"):
        repeat_offender_suggestion_decide(suggestion=suggestion, by=manager, confirm=False, reason="x")


def test_a_dismissed_suggestion_returns_only_after_new_bypasses(customer, agent, manager):
    for days in (3, 2, 1):
        _bypass(customer, agent, days_ago=days)
    repeat_offender_suggestion_decide(
        suggestion=RepeatOffenderSuggestion.objects.get(),
        by=manager,
        confirm=False,
        reason="Process is broken",
        now=NOW,
    )

    assert repeat_offender_suggestion_check(customer=customer, now=NOW + timedelta(hours=1)) is None

    for hours in (2, 3, 4):
        ticket_redirect(
            ticket=TicketFactory(customer=customer),
            by=agent,
            to_service=OutOfScopeServiceFactory(),
            root_cause=Ticket.RootCause.BYPASSED_PROCESS,
            now=NOW + timedelta(hours=hours),
        )

    assert RepeatOffenderSuggestion.objects.filter(status="pending").count() == 1


def test_agents_cannot_decide_suggestions(customer, agent):
    for days in (3, 2, 1):
        _bypass(customer, agent, days_ago=days)

    with pytest.raises(CustomerError, match="Only IT managers"):
        repeat_offender_suggestion_decide(
            suggestion=RepeatOffenderSuggestion.objects.get(), by=agent, confirm=True, reason="x"
        )
