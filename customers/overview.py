"""The customer 360 page's read: everything IT knows of one customer, composed from this app's
selectors and those of the tickets and surveys apps (which read customers' selectors in turn, so
this composition lives apart from them)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from surveys import selectors as survey_selectors
from surveys.figures import ReportCard, report_card
from surveys.models import Survey
from tickets import selectors as ticket_selectors
from tickets.selectors import CustomerRequests

from . import selectors
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
    requests: CustomerRequests
    bypasses_in_window: int
    category_history: list[CategoryChange]
    pending_suggestion: RepeatOffenderSuggestion | None
    arrangements: list[ArrangementEffect]
    grades: list[Survey]  # the latest grades they gave
    grade_card: ReportCard  # over every survey they were sent


def customer_360(*, customer: User, now: datetime) -> Customer360:
    """Everything IT knows about one customer, for agents and managers."""
    profile = selectors.customer_profile_get(customer=customer)
    return Customer360(
        customer=customer,
        profile=profile,
        requests=ticket_selectors.customer_requests_get(customer=customer),
        bypasses_in_window=ticket_selectors.ticket_bypass_count(
            customer=customer, since=now - timedelta(days=settings.REPEAT_OFFENDER_WINDOW_DAYS)
        ),
        category_history=list(selectors.customer_category_history(profile=profile)),
        pending_suggestion=(
            profile.repeat_offender_suggestions.filter(status=RepeatOffenderSuggestion.Status.PENDING).first()
            if profile.pk
            else None
        ),
        arrangements=_arrangement_effects(customer=customer, today=timezone.localdate(now)),
        grades=list(survey_selectors.surveys_answered_by_customer(customer=customer)[:GRADES_SHOWN]),
        grade_card=report_card(survey_selectors.surveys_sent_to_customer(customer=customer)),
    )


def _arrangement_effects(*, customer: User, today: date) -> list[ArrangementEffect]:
    """Two queries whatever the number of arrangements: them, then the customer's asks for them."""
    arrangements = list(ProactiveArrangement.objects.filter(customer=customer).select_related("service"))
    asks = ticket_selectors.ticket_requests_by_service(
        customer=customer, service_ids={a.service_id for a in arrangements if a.service_id}
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
