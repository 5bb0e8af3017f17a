"""What staff see of a customer. Nothing here is for the customer's own eyes: the portal never
calls these (the category, notes and history are internal)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from surveys import selectors as survey_selectors
from surveys.figures import ReportCard, report_card
from surveys.models import Survey
from tickets.models import Ticket

from .models import CategoryChange, CustomerProfile, ProactiveArrangement, RepeatOffenderSuggestion

GRADES_SHOWN = 20


@dataclass(frozen=True)
class ArrangementEffect:
    """An arrangement, and whether the customer stopped asking for it once it began."""

    arrangement: ProactiveArrangement
    asks_before: int  # in the same number of days before it began
    asks_since: int


@dataclass(frozen=True)
class Customer360:
    customer: User
    profile: CustomerProfile
    tickets: list[Ticket]
    ticket_count: int
    open_count: int
    root_causes: list[tuple[str, int]]
    bypasses_in_window: int
    category_history: list[CategoryChange]
    pending_suggestion: RepeatOffenderSuggestion | None
    arrangements: list[ArrangementEffect]
    grades: list[Survey]  # the latest grades they gave
    grade_card: ReportCard  # over every survey they were sent


def customer_get_for_staff(*, user_id: int) -> User:
    """A customer (anyone with the portal permission or who has asked IT before); else 404."""
    customer = User.objects.filter(pk=user_id).select_related("customer_profile__manager").first()
    if customer is None:
        raise Http404
    return customer


def customer_360(*, customer: User, now: datetime) -> Customer360:
    """Everything IT knows about one customer, for agents and managers."""
    profile = getattr(customer, "customer_profile", None) or CustomerProfile(user=customer)
    tickets = Ticket.objects.filter(customer=customer)
    root_causes = {
        row["root_cause"]: row["n"]
        for row in tickets.exclude(root_cause="").values("root_cause").annotate(n=Count("pk"))
    }
    return Customer360(
        customer=customer,
        profile=profile,
        tickets=list(tickets.select_related("service", "assignee").defer("search_document")[:50]),
        ticket_count=tickets.count(),
        open_count=tickets.unresolved().count(),
        root_causes=[(label, root_causes.get(value, 0)) for value, label in Ticket.RootCause.choices],
        bypasses_in_window=bypass_count(
            customer=customer, since=now - timedelta(days=settings.REPEAT_OFFENDER_WINDOW_DAYS)
        ),
        category_history=list(profile.category_changes.select_related("changed_by")) if profile.pk else [],
        pending_suggestion=(
            profile.repeat_offender_suggestions.filter(status=RepeatOffenderSuggestion.Status.PENDING).first()
            if profile.pk
            else None
        ),
        arrangements=_arrangement_effects(customer=customer, today=timezone.localdate(now)),
        grades=list(survey_selectors.surveys_answered_by_customer(customer=customer)[:GRADES_SHOWN]),
        grade_card=report_card(Survey.objects.filter(customer=customer, cancelled_at__isnull=True)),
    )


def _arrangement_effects(*, customer: User, today: date) -> list[ArrangementEffect]:
    """Two queries whatever the number of arrangements: them, then the customer's asks for them."""
    arrangements = list(ProactiveArrangement.objects.filter(customer=customer).select_related("service"))
    services = {a.service_id for a in arrangements if a.service_id}
    asks = []
    if services:
        asks = list(
            Ticket.objects.filter(customer=customer, service_id__in=services).values_list(
                "service_id", "created_at"
            )
        )
    effects = []
    for arrangement in arrangements:
        started = arrangement.started_on
        period = max((today - started).days, 1)
        days = [
            timezone.localdate(created)
            for service_id, created in asks
            if service_id == arrangement.service_id
        ]
        effects.append(
            ArrangementEffect(
                arrangement=arrangement,
                asks_before=sum(started - timedelta(days=period) <= day < started for day in days),
                asks_since=sum(day >= started for day in days),
            )
        )
    return effects


def bypass_count(*, customer: User, since: datetime) -> int:
    """Requests this customer brought to IT instead of the official process, on purpose, since then."""
    return Ticket.objects.filter(
        customer=customer, root_cause=Ticket.RootCause.BYPASSED_PROCESS, resolved_at__gte=since
    ).count()


def repeat_offender_suggestions_pending() -> QuerySet[RepeatOffenderSuggestion]:
    return RepeatOffenderSuggestion.objects.filter(
        status=RepeatOffenderSuggestion.Status.PENDING
    ).select_related("profile__user")
