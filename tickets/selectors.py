"""Everything the tickets app shows: each read is permission-aware and fetches what its page needs."""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from customers.models import CustomerCategory, CustomerProfile

from . import sla
from .models import BusinessCalendar, Priority, Service, SlaPolicy, Ticket

# Used until someone sets up a calendar or policies in the admin (seed_demo does): a working
# week of Monday to Friday, 09:00 to 17:30, and these targets in business minutes.
DEFAULT_WORKING_HOURS = {weekday: (time(9), time(17, 30)) for weekday in range(5)}
DEFAULT_SLA_TARGETS = {
    Priority.CRITICAL: (30, 4 * 60),
    Priority.HIGH: (60, 8 * 60),
    Priority.MEDIUM: (4 * 60, 3 * 8 * 60),
    Priority.LOW: (8 * 60, 5 * 8 * 60),
}


@dataclass(frozen=True)
class SlaTargets:
    first_response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class SlaExpectation:
    """What a customer can rely on for a request made now."""

    first_response_due_at: datetime
    resolution_due_at: datetime


def working_calendar_get() -> sla.WorkingCalendar:
    """The default business calendar (two queries), or Monday–Friday office hours if none is set."""
    calendar = (
        BusinessCalendar.objects.filter(is_default=True).prefetch_related("working_hours", "holidays").first()
    )
    if calendar is None:
        return sla.WorkingCalendar(time_zone=ZoneInfo(settings.TIME_ZONE), hours=DEFAULT_WORKING_HOURS)
    return sla.WorkingCalendar(
        time_zone=ZoneInfo(calendar.time_zone),
        hours={period.weekday: (period.opens, period.closes) for period in calendar.working_hours.all()},
        holidays=frozenset(holiday.date for holiday in calendar.holidays.all()),
    )


def sla_targets_get(*, priority: str, category: str) -> SlaTargets:
    """The targets for a priority: the category's own policy if there is one, else the default."""
    policies = {
        policy.customer_category: policy
        for policy in SlaPolicy.objects.filter(priority=priority, customer_category__in=[category, ""])
    }
    policy = policies.get(category) or policies.get("")
    if policy is None:
        return SlaTargets(*DEFAULT_SLA_TARGETS[Priority(priority)])
    return SlaTargets(policy.first_response_minutes, policy.resolution_minutes)


def sla_expectation_get(*, priority: str, category: str, now: datetime) -> SlaExpectation:
    """When a request made now, at this priority, should first be answered and be done."""
    targets = sla_targets_get(priority=priority, category=category)
    calendar = working_calendar_get()
    return SlaExpectation(
        first_response_due_at=sla.add_business_minutes(calendar, now, targets.first_response_minutes),
        resolution_due_at=sla.add_business_minutes(calendar, now, targets.resolution_minutes),
    )


def customer_category_get(*, user: User) -> str:
    """The customer's category (general when they have no profile yet). Internal: never show it to them."""
    category = CustomerProfile.objects.filter(user=user).values_list("category", flat=True).first()
    return category or CustomerCategory.GENERAL


def service_list_for_catalog() -> QuerySet[Service]:
    """Active catalog entries, IT's own first."""
    return Service.objects.filter(is_active=True).select_related("default_team")


def service_get_for_catalog(*, slug: str) -> Service:
    try:
        return service_list_for_catalog().get(slug=slug)
    except Service.DoesNotExist:
        raise Http404 from None


def ticket_list_for_customer(*, customer: User) -> QuerySet[Ticket]:
    """The customer's own requests, newest first, with what "My requests" shows on each row."""
    return (
        Ticket.objects.for_customer(customer)
        .select_related("service")
        .only(
            "pk",
            "title",
            "status",
            "priority",
            "created_at",
            "updated_at",
            "first_response_due_at",
            "first_responded_at",
            "resolution_due_at",
            "resolved_at",
            "sla_paused_at",
            "service__name",
            "service__slug",
        )
    )


def ticket_get_for_customer(*, customer: User, pk: int) -> Ticket:
    """The customer's own ticket; anyone else's is a 404, as if it did not exist."""
    try:
        return Ticket.objects.for_customer(customer).select_related("service", "assignee").get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def ticket_conversation_for_customer(*, ticket: Ticket) -> QuerySet:
    """Public replies only: internal notes never leave the agents' side."""
    return ticket.messages.filter(is_internal=False).select_related("author")
