"""What the surveys app shows, and to whom.

Customers reach only their own surveys (404 otherwise). A grade is shown to the agent who
resolved the ticket and to managers: it is for coaching, not for the whole desk to read.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from tickets.models import Ticket

from .models import RecoveryCase, Survey


def survey_get_for_customer(*, customer: User, pk: int) -> Survey:
    survey = Survey.objects.select_related("ticket__service").filter(pk=pk, customer=customer).first()
    if survey is None:
        raise Http404
    return survey


def survey_for_customer_ticket(*, ticket: Ticket) -> Survey | None:
    """The survey the customer's request page offers: of its latest resolution, if not withdrawn."""
    return Survey.objects.filter(ticket=ticket, cancelled_at__isnull=True).order_by("-round").first()


def surveys_awaiting_customer(*, customer: User, now: datetime, limit: int = 5) -> list[Survey]:
    """Resolved requests the customer can still grade, newest first."""
    return list(
        Survey.objects.filter(
            customer=customer, answered_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now
        )
        .select_related("ticket")
        .order_by("-resolved_at")[:limit]
    )


def surveys_resolved_since(*, since: datetime) -> QuerySet[Survey]:
    """Surveys of the resolutions since then, withdrawn ones excepted (for the report card)."""
    return Survey.objects.filter(resolved_at__gte=since, cancelled_at__isnull=True)


def surveys_answered_for_ticket(*, ticket: Ticket, user: User) -> list[Survey]:
    """The grades given to this ticket that this member of staff may read."""
    surveys = Survey.objects.filter(ticket=ticket, answered_at__isnull=False).select_related(
        "agent", "recovery_case"
    )
    if not user.has_perm("surveys.view_survey"):
        surveys = surveys.filter(agent=user)
    return list(surveys.order_by("round"))


def surveys_answered_for_agent(*, agent: User) -> QuerySet[Survey]:
    """The grades on the tickets this agent resolved, newest first (for their own coaching)."""
    return (
        Survey.objects.filter(agent=agent, answered_at__isnull=False)
        .select_related("ticket", "customer")
        .order_by("-answered_at", "-pk")
    )


def surveys_sent_to_customer(*, customer: User) -> QuerySet[Survey]:
    """Every survey the customer was sent and that still stands (the report card of their grades)."""
    return Survey.objects.filter(customer=customer, cancelled_at__isnull=True)


def surveys_answered_by_customer(*, customer: User) -> QuerySet[Survey]:
    """The grades a customer gave, newest first (the customer 360 page)."""
    return (
        Survey.objects.filter(customer=customer, answered_at__isnull=False)
        .select_related("ticket", "agent")
        .order_by("-answered_at", "-pk")
    )


@dataclass(frozen=True)
class RecoveryFilters:
    status: str = "unclosed"  # "unclosed", one of RecoveryCase.Status, or "all"
    mine: bool = False


def recovery_case_queue(*, manager: User, filters: RecoveryFilters) -> QuerySet[RecoveryCase]:
    """Recovery cases, oldest unclosed first: the longer a customer waits, the worse it gets."""
    cases = RecoveryCase.objects.select_related(
        "owner", "survey__ticket", "survey__customer", "survey__agent"
    ).defer("survey__ticket__search_document")
    if filters.status == "unclosed":
        cases = cases.filter(~Q(status=RecoveryCase.Status.CLOSED)).order_by("opened_at", "pk")
    elif filters.status in RecoveryCase.Status.values:
        cases = cases.filter(status=filters.status).order_by("-opened_at", "-pk")
    else:
        cases = cases.order_by("-opened_at", "-pk")
    if filters.mine:
        cases = cases.filter(owner=manager)
    return cases


def recovery_case_get(*, pk: int) -> RecoveryCase:
    case = (
        RecoveryCase.objects.select_related(
            "owner",
            "survey__ticket__service",
            "survey__customer__customer_profile",
            "survey__agent",
            "survey__team",
        )
        .defer("survey__ticket__search_document")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


def recovery_case_history(*, case: RecoveryCase) -> list:
    return list(case.events.select_related("actor"))


def recovery_cases_unclosed_count() -> int:
    return RecoveryCase.objects.exclude(status=RecoveryCase.Status.CLOSED).count()
