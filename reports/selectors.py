"""What the dashboards show, read from the rollups in a fixed, small number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from accounts.models import User
from customers.models import CustomerCategory, RepeatOffenderSuggestion
from surveys.figures import TOTAL_NAMES, ReportCard, ratio
from surveys.models import RecoveryCase, Survey
from tickets.models import Service, Team, Ticket

from .models import BUCKET_COUNT, DURATION_BUCKETS, ROLLUP_TOTAL_NAMES, Rollup, Span
from .periods import Period, week_start

TREND_WEEKS = 26
# Open tickets by age: (label, at least this old).
BACKLOG_AGES = (("Under a day", 0), ("1–3 days", 1), ("3–7 days", 3), ("1–4 weeks", 7), ("Over 4 weeks", 28))


@dataclass(frozen=True)
class Scope:
    """The one filter a dashboard is read with (rollups are kept per filter): a team, a
    service, a customer category, or none."""

    dim: str = ""
    key: str = ""

    @classmethod
    def parse(cls, value: str) -> "Scope":
        dim, _, key = (value or "").partition(":")
        return cls(dim, key) if dim in ("team", "service", "category") and key else cls()

    def __str__(self) -> str:
        return f"{self.dim}:{self.key}" if self.dim else ""

    def tickets(self, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.dim == "team":
            return tickets.filter(team_id=self.key)
        if self.dim == "service":
            return tickets.filter(service_id=self.key)
        if self.dim == "category":
            if self.key == CustomerCategory.GENERAL:
                return tickets.exclude(
                    customer__customer_profile__category__in=[
                        CustomerCategory.VIP,
                        CustomerCategory.REPEAT_OFFENDER,
                    ]
                )
            return tickets.filter(customer__customer_profile__category=self.key)
        return tickets

    def surveys(self, surveys: QuerySet[Survey]) -> QuerySet[Survey]:
        field = {"team": "team_id", "service": "service_id", "category": "customer_category"}.get(self.dim)
        return surveys.filter(**{field: self.key}) if field else surveys


@dataclass(frozen=True)
class DurationMedian:
    """A median known to within a bucket: more than `above` minutes, at most `up_to` (None: open)."""

    above: int
    up_to: int | None


@dataclass(frozen=True)
class Health:
    tickets_created: int
    first_responded: int
    resolved: int
    first_response_rate: Decimal | None  # answered within target, of those answered
    resolution_rate: Decimal | None  # resolved within target, of those resolved
    first_response_median: DurationMedian | None
    resolution_median: DurationMedian | None

    @classmethod
    def from_totals(cls, totals: dict[str, int]) -> "Health":
        return cls(
            tickets_created=totals["tickets_created"],
            first_responded=totals["first_responded"],
            resolved=totals["resolved"],
            first_response_rate=ratio(totals["first_response_met"], totals["first_responded"]),
            resolution_rate=ratio(totals["resolution_met"], totals["resolved"]),
            first_response_median=_median([totals[f"first_response_b{n}"] for n in range(BUCKET_COUNT)]),
            resolution_median=_median([totals[f"resolution_b{n}"] for n in range(BUCKET_COUNT)]),
        )


@dataclass(frozen=True)
class Figures:
    card: ReportCard
    health: Health

    @classmethod
    def from_totals(cls, totals: dict[str, int]) -> "Figures":
        return cls(ReportCard.from_totals({n: totals[n] for n in TOTAL_NAMES}), Health.from_totals(totals))


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class TrendWeek:
    week: date
    figures: Figures


def totals_by_key(
    *, period: Period, scope: Scope, dim: str, key: str | None = None
) -> dict[str, dict[str, int]]:
    """The summed totals of a period for each key of a breakdown, from whole months and days."""
    rows = (
        _rollups(period, scope, dim, key)
        .values("key")
        .annotate(**{name: Sum(name) for name in ROLLUP_TOTAL_NAMES})
        .order_by()
    )
    return {row.pop("key"): row for row in rows}


def figures_with_previous(
    *, period: Period, scope: Scope, dim: str = "all", key: str = ""
) -> tuple[Figures, Figures]:
    """The figures of a period and of the period of the same length before it, in one query."""
    current, previous = _pieces_q(period), _pieces_q(period.previous())
    sums = {}
    for name in ROLLUP_TOTAL_NAMES:
        sums[f"now_{name}"] = Sum(name, filter=current, default=0)
        sums[f"before_{name}"] = Sum(name, filter=previous, default=0)
    totals = (
        Rollup.objects.filter(filter_dim=scope.dim, filter_key=scope.key, dim=dim, key=key)
        .filter(current | previous)
        .aggregate(**sums)
    )
    return (
        Figures.from_totals({n: totals[f"now_{n}"] for n in ROLLUP_TOTAL_NAMES}),
        Figures.from_totals({n: totals[f"before_{n}"] for n in ROLLUP_TOTAL_NAMES}),
    )


def weekly_trend(*, today: date, scope: Scope, dim: str = "all", key: str = "") -> list[TrendWeek]:
    """The last TREND_WEEKS weeks (Monday to Sunday, this one so far), oldest first."""
    first = week_start(today) - timedelta(weeks=TREND_WEEKS - 1)
    rows = Rollup.objects.filter(
        filter_dim=scope.dim,
        filter_key=scope.key,
        dim=dim,
        key=key,
        span=Span.DAY,
        start__range=(first, today),
    ).values_list("start", *ROLLUP_TOTAL_NAMES)
    weeks: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ROLLUP_TOTAL_NAMES, 0))
    for start, *values in rows:
        week = weeks[week_start(start)]
        for name, value in zip(ROLLUP_TOTAL_NAMES, values, strict=True):
            week[name] += value
    return [
        TrendWeek(week, Figures.from_totals(weeks[week]))
        for week in (first + timedelta(weeks=n) for n in range(TREND_WEEKS))
    ]


def breakdown(*, period: Period, scope: Scope, dim: str, labels: dict[str, str]) -> list[BreakdownRow]:
    """One row per agent, team, … that had surveys or tickets in the period, best GPA first."""
    rows = [
        BreakdownRow(key, labels.get(key, key or "—"), Figures.from_totals(totals))
        for key, totals in totals_by_key(period=period, scope=scope, dim=dim).items()
    ]
    return sorted(
        rows, key=lambda row: (row.figures.card.gpa is None, -(row.figures.card.gpa or 0), row.label)
    )


def agent_labels(keys: list[str]) -> dict[str, str]:
    ids = [int(key) for key in keys if key]
    names = {str(user.pk): user.get_full_name() or user.username for user in User.objects.filter(pk__in=ids)}
    return {"": "Nobody (unassigned)", **names}


@dataclass(frozen=True)
class Backlog:
    by_age: list[tuple[str, int]]
    breaching_now: int
    open_total: int


def backlog(*, scope: Scope, now: datetime) -> Backlog:
    """Open tickets by age, and how many have missed a target, in one query."""
    ages = [now - timedelta(days=days) for _, days in BACKLOG_AGES]
    counts = {
        f"age_{n}": Count(
            "pk",
            filter=Q(created_at__lte=ages[n]) & (Q(created_at__gt=ages[n + 1]) if n + 1 < len(ages) else Q()),
        )
        for n in range(len(ages))
    }
    breaching = Q(sla_paused_at__isnull=True) & (
        Q(first_responded_at__isnull=True, first_response_due_at__lt=now) | Q(resolution_due_at__lt=now)
    )
    totals = scope.tickets(Ticket.objects.open()).aggregate(
        **counts, breaching_now=Count("pk", filter=breaching), open_total=Count("pk")
    )
    return Backlog(
        by_age=[(label, totals[f"age_{n}"]) for n, (label, _) in enumerate(BACKLOG_AGES)],
        breaching_now=totals["breaching_now"],
        open_total=totals["open_total"],
    )


def processes_turning_customers_away(*, period: Period, scope: Scope, limit: int = 5) -> list[dict]:
    """The processes customers were redirected to in the period, by how many customers."""
    starts, ends = period.bounds()
    return list(
        scope.tickets(
            Ticket.objects.filter(cited_process__isnull=False, created_at__gte=starts, created_at__lt=ends)
        )
        .values("cited_process_id", "cited_process__name")
        .annotate(customers=Count("customer", distinct=True))
        .order_by("-customers", "cited_process__name")[:limit]
    )


def waiting_counts() -> dict[str, int]:
    return {
        "recovery_open": RecoveryCase.objects.exclude(status=RecoveryCase.Status.CLOSED).count(),
        "suggestions_waiting": RepeatOffenderSuggestion.objects.filter(
            status=RepeatOffenderSuggestion.Status.PENDING
        ).count(),
    }


def scope_choices() -> tuple[dict[str, str], dict[str, str]]:
    """Team and service names by id (for the filter and the breakdowns' labels)."""
    teams = {str(pk): name for pk, name in Team.objects.order_by("name").values_list("pk", "name")}
    services = {str(pk): name for pk, name in Service.objects.order_by("name").values_list("pk", "name")}
    return teams, services


def surveys_behind(
    *, period: Period, scope: Scope, dim: str = "", key: str = "", grade: str = ""
) -> QuerySet[Survey]:
    """The answered surveys behind a figure (drill-down), newest first."""
    starts, ends = period.bounds()
    surveys = scope.surveys(
        Survey.objects.filter(
            resolved_at__gte=starts,
            resolved_at__lt=ends,
            cancelled_at__isnull=True,
            answered_at__isnull=False,
        )
    )
    field = {"agent": "agent_id", "team": "team_id", "service": "service_id", "category": "customer_category",
             "priority": "priority"}.get(dim)  # fmt: skip
    if field:
        surveys = (
            surveys.filter(**{field: key or None})
            if field.endswith("_id")
            else surveys.filter(**{field: key})
        )
    if grade:
        surveys = surveys.filter(grade=grade)
    return surveys.select_related("ticket", "agent", "customer").order_by("-resolved_at", "-pk")


TICKET_MEASURES = {
    "created": "Tickets created",
    "first_response_missed": "First answer later than its target",
    "resolution_missed": "Resolved later than its target",
}


def tickets_behind(*, period: Period, scope: Scope, measure: str) -> QuerySet[Ticket]:
    """The tickets created in the period behind a health figure (drill-down), newest first."""
    starts, ends = period.bounds()
    tickets = scope.tickets(Ticket.objects.filter(created_at__gte=starts, created_at__lt=ends))
    if measure == "first_response_missed":
        tickets = tickets.filter(first_responded_at__gt=F("first_response_due_at"))
    elif measure == "resolution_missed":
        tickets = tickets.filter(
            status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED], resolved_at__gt=F("resolution_due_at")
        )
    return tickets.select_related("customer", "assignee", "service").order_by("-created_at", "-pk")


def _pieces_q(period: Period) -> Q:
    months, day_ranges = period.pieces()
    q = Q(span=Span.MONTH, start__in=months) if months else Q(pk__in=[])
    for first, last in day_ranges:
        q |= Q(span=Span.DAY, start__range=(first, last))
    return q


def _rollups(period: Period, scope: Scope, dim: str, key: str | None) -> QuerySet[Rollup]:
    rollups = Rollup.objects.filter(filter_dim=scope.dim, filter_key=scope.key, dim=dim).filter(
        _pieces_q(period)
    )
    return rollups if key is None else rollups.filter(key=key)


def _median(buckets: list[int]) -> DurationMedian | None:
    total = sum(buckets)
    if not total:
        return None
    seen = 0
    for n, count in enumerate(buckets):
        seen += count
        if seen * 2 >= total:
            return DurationMedian(
                above=DURATION_BUCKETS[n - 1] if n else 0,
                up_to=DURATION_BUCKETS[n] if n < len(DURATION_BUCKETS) else None,
            )
    raise AssertionError("unreachable")


BREAKDOWNS = {
    "agent": "By agent",
    "team": "By team",
    "service": "By service",
    "category": "By customer category",
    "priority": "By priority",
}


@dataclass(frozen=True)
class Dashboard:
    period: Period
    scope: Scope
    figures: Figures
    previous: Figures
    trend: list[TrendWeek]
    breakdowns: dict[str, list[BreakdownRow]]
    backlog: Backlog
    processes: list[dict]
    waiting: dict[str, int]


def dashboard_read(
    *, period: Period, scope: Scope, now: datetime, teams: dict[str, str], services: dict[str, str]
) -> Dashboard:
    """Everything the managers' dashboard shows (about fifteen queries, whatever the data's size)."""
    figures, previous = figures_with_previous(period=period, scope=scope)
    labels = dashboard_labels(teams, services)
    breakdowns = {}
    for dim in BREAKDOWNS:
        if dim == scope.dim:
            continue  # filtered to one team, a breakdown by team says nothing more
        totals = totals_by_key(period=period, scope=scope, dim=dim)
        if dim == "agent":
            labels["agent"] = agent_labels(list(totals))
        breakdowns[dim] = sort_rows(
            [
                BreakdownRow(key, labels[dim].get(key, key or "—"), Figures.from_totals(t))
                for key, t in totals.items()
            ]
        )
    return Dashboard(
        period=period,
        scope=scope,
        figures=figures,
        previous=previous,
        trend=weekly_trend(today=period.last, scope=scope),
        breakdowns=breakdowns,
        backlog=backlog(scope=scope, now=now),
        processes=processes_turning_customers_away(period=period, scope=scope),
        waiting=waiting_counts(),
    )


def dashboard_labels(teams: dict[str, str], services: dict[str, str]) -> dict[str, dict[str, str]]:
    """What each breakdown's keys are called (agents are looked up: there are many)."""
    return {
        "team": {"": "No team", **teams},
        "service": {"": "No service", **services},
        "category": {str(value): str(label) for value, label in CustomerCategory.choices},
        "priority": {str(value): str(label) for value, label in Ticket._meta.get_field("priority").choices},
    }


def sort_rows(rows: list[BreakdownRow]) -> list[BreakdownRow]:
    """Best GPA first; rows nobody graded last, by name."""
    return sorted(
        rows, key=lambda row: (row.figures.card.gpa is None, -(row.figures.card.gpa or 0), row.label)
    )
