"""What the dashboards show, read from the rollups in a fixed, small number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet

from accounts import selectors as account_selectors
from customers import selectors as customer_selectors
from customers.models import CustomerCategory
from surveys import selectors as survey_selectors
from surveys.figures import GRADE_TOTALS, ReportCard, gpa, ratio
from surveys.models import Survey
from tickets import selectors as ticket_selectors
from tickets.models import Ticket
from tickets.querysets import sla_due_before

from .models import BUCKET_COUNT, DURATION_BUCKETS, ROLLUP_TOTAL_NAMES, Rollup, RollupPeriod, Span
from .periods import Period, week_start

TREND_WEEKS = 26
# Up to this many agents the dashboard shows the whole agents' table; beyond, an overview of the
# highest and lowest grades and a link to the table's own page (hundreds of rows bury the rest).
AGENTS_IN_FULL = 25
AGENT_OVERVIEW_ROWS = 5
AGENT_OVERVIEW_MIN_RESPONSES = 3
# What a breakdown table shows (and its CSV): summing only these keeps a table of hundreds of
# agents cheap. Grades, responses offered, indifference, and the tickets' targets.
BREAKDOWN_TOTAL_NAMES = (
    "invited",
    "answered",
    *(name for _, name in GRADE_TOTALS),
    "indifference",
    "tickets_created",
    "first_responded",
    "first_response_met",
    "resolved",
    "resolution_met",
)
_ZERO_TOTALS = dict.fromkeys(ROLLUP_TOTAL_NAMES, 0)
_FIRST_RESPONSE_BUCKETS = tuple(f"first_response_b{n}" for n in range(BUCKET_COUNT))
_RESOLUTION_BUCKETS = tuple(f"resolution_b{n}" for n in range(BUCKET_COUNT))
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
            return tickets.filter(customer_selectors.customer_in_category(self.key))
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
            first_response_median=_median([totals[name] for name in _FIRST_RESPONSE_BUCKETS]),
            resolution_median=_median([totals[name] for name in _RESOLUTION_BUCKETS]),
        )


@dataclass(frozen=True)
class Figures:
    card: ReportCard
    health: Health

    @classmethod
    def from_totals(cls, totals: dict[str, int]) -> "Figures":
        return cls(ReportCard.from_totals(totals), Health.from_totals(totals))


@dataclass(frozen=True)
class BreakdownRow:
    """One agent, team, … of a breakdown. Its figures are summed from BREAKDOWN_TOTAL_NAMES only
    (what the tables show): dimension averages, "would choose us" and medians are left empty."""

    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class TrendWeek:
    week: date
    figures: Figures


def totals_by_key(*, period: Period, scope: Scope, dim: str) -> dict[str, dict[str, int]]:
    """The summed totals of a period for each key of a breakdown, from whole months and days."""
    return totals_by_dim(period=period, scope=scope, dims=[dim])[dim]


def totals_by_dim(
    *, period: Period, scope: Scope, dims: list[str], names: tuple[str, ...] = ROLLUP_TOTAL_NAMES
) -> dict[str, dict[str, dict[str, int]]]:
    """totals_by_key for several breakdowns at once, in one query; only `names` are summed
    (the others are 0)."""
    sums = ", ".join(f"SUM({_quote(name)})" for name in names)
    rows = _rollup_rows(
        f"dim, {_quote('key')}, {sums}", scope=scope, dims=dims, starts=_piece_starts(period), group_by=True
    )
    totals: dict[str, dict[str, dict[str, int]]] = {dim: {} for dim in dims}
    for dim, key, *values in rows:
        totals[dim][key] = _ZERO_TOTALS | dict(zip(names, (value or 0 for value in values), strict=True))
    return totals


def figures_with_previous(
    *, period: Period, scope: Scope, dim: str = "all", key: str = ""
) -> tuple[Figures, Figures]:
    """The figures of a period and of the period of the same length before it, in one query.

    The rows are few (a month or day each), so they are summed here: a hundred filtered SUMs
    would cost more to build than to run.
    """
    rows = _rollup_rows(
        f"{_quote('start')}, {_TOTAL_COLUMNS}",
        scope=scope,
        dims=[dim],
        key=key,
        starts=_piece_starts(period, period.previous()),
    )
    current, previous = [0] * len(ROLLUP_TOTAL_NAMES), [0] * len(ROLLUP_TOTAL_NAMES)
    for start, *values in rows:
        # A month of the period starts inside it; every row of the period before starts earlier.
        sums = current if _as_date(start) >= period.first else previous
        for n, value in enumerate(values):
            sums[n] += value
    return (
        Figures.from_totals(dict(zip(ROLLUP_TOTAL_NAMES, current, strict=True))),
        Figures.from_totals(dict(zip(ROLLUP_TOTAL_NAMES, previous, strict=True))),
    )


def weekly_trend(*, today: date, scope: Scope, dim: str = "all", key: str = "") -> list[TrendWeek]:
    """The last TREND_WEEKS weeks (Monday to Sunday, this one so far), oldest first."""
    this_week = week_start(today)
    first = this_week - timedelta(weeks=TREND_WEEKS - 1)
    # Whole weeks from their own rows; the last one up to `today` from its days.
    starts = {
        Span.WEEK: [first + timedelta(weeks=n) for n in range(TREND_WEEKS - 1)],
        Span.DAY: [this_week + timedelta(days=n) for n in range((today - this_week).days + 1)],
    }
    rows = _rollup_rows(
        f"{_quote('start')}, {_TOTAL_COLUMNS}", scope=scope, dims=[dim], key=key, starts=starts
    )
    weeks: dict[date, list[int]] = defaultdict(lambda: [0] * len(ROLLUP_TOTAL_NAMES))
    for start, *values in rows:
        week = weeks[week_start(_as_date(start))]
        for n, value in enumerate(values):
            week[n] += value
    return [
        TrendWeek(week, Figures.from_totals(dict(zip(ROLLUP_TOTAL_NAMES, weeks[week], strict=True))))
        for week in (first + timedelta(weeks=n) for n in range(TREND_WEEKS))
    ]


def breakdown(
    *, period: Period, scope: Scope, dim: str, labels: dict[str, str] | None = None
) -> list[BreakdownRow]:
    """One row per agent, team, … that had surveys or tickets in the period, best GPA first.
    Agents are named from their accounts; other keys from `labels`."""
    totals = totals_by_dim(period=period, scope=scope, dims=[dim], names=BREAKDOWN_TOTAL_NAMES)[dim]
    return _breakdown_rows(totals, agent_labels(list(totals)) if dim == "agent" else labels or {})


def _breakdown_rows(totals: dict[str, dict[str, int]], labels: dict[str, str]) -> list[BreakdownRow]:
    """Best GPA first; rows nobody graded last, by name."""
    rows = [
        BreakdownRow(key, labels.get(key, key or "—"), Figures.from_totals(t)) for key, t in totals.items()
    ]
    return sorted(
        rows, key=lambda row: (row.figures.card.gpa is None, -(row.figures.card.gpa or 0), row.label)
    )


def agent_labels(keys: list[str]) -> dict[str, str]:
    names = account_selectors.user_names(ids=[int(key) for key in keys if key])
    return {"": "Nobody (unassigned)", **{str(pk): name for pk, name in names.items()}}


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
    totals = scope.tickets(Ticket.objects.unresolved()).aggregate(
        **counts, breaching_now=Count("pk", filter=sla_due_before(now)), open_total=Count("pk")
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
        "recovery_open": survey_selectors.recovery_cases_unclosed_count(),
        "suggestions_waiting": customer_selectors.repeat_offender_suggestions_waiting(),
    }


def scope_choices() -> tuple[dict[str, str], dict[str, str]]:
    """Team and service names by id (for the filter and the breakdowns' labels)."""
    return ticket_selectors.team_names(), ticket_selectors.service_names()


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
        tickets = tickets.filter(status__in=Ticket.RESOLVED_STATUSES, resolved_at__gt=F("resolution_due_at"))
    return tickets.select_related("customer", "assignee", "service").order_by("-created_at", "-pk")


def _piece_starts(*periods: Period) -> dict[str, list[date]]:
    """The rollup rows that add up to these periods, by span: whole quarters, months and weeks,
    and loose days."""
    starts: dict[str, list[date]] = {Span.QUARTER: [], Span.MONTH: [], Span.WEEK: [], Span.DAY: []}
    for period in periods:
        quarters, months, weeks, day_ranges = period.pieces()
        starts[Span.QUARTER] += quarters
        starts[Span.MONTH] += months
        starts[Span.WEEK] += weeks
        starts[Span.DAY] += [
            first + timedelta(days=n) for first, last in day_ranges for n in range((last - first).days + 1)
        ]
    return starts


def _rollup_rows(
    select: str,
    *,
    scope: Scope,
    dims: list[str],
    starts: dict[str, list[date]],
    key: str | None = None,
    group_by: bool = False,
) -> list[tuple]:
    """Rows of one filter's rollups for these breakdowns (and key), at these starts by span.

    Written as SQL: the dashboard's reads name fifty columns, and building them through the ORM
    costs more than running them. Only the column list is spliced in, from constant names.
    """
    where = ["filter_dim = %s", "filter_key = %s", f"dim IN ({', '.join(['%s'] * len(dims))})"]
    params: list = [scope.dim, scope.key, *dims]
    if key is not None:
        where.append(f"{_quote('key')} = %s")
        params.append(key)
    spans = []
    for span, days in starts.items():
        if days:
            spans.append(f"(span = %s AND {_quote('start')} IN ({', '.join(['%s'] * len(days))}))")
            params += [span, *(connection.ops.adapt_datefield_value(day) for day in days)]
    if not spans:
        return []
    where.append(f"({' OR '.join(spans)})")
    sql = f"SELECT {select} FROM {_quote(Rollup._meta.db_table)} WHERE {' AND '.join(where)}"
    if group_by:
        sql += f" GROUP BY dim, {_quote('key')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value: date | str) -> date:
    """A start read through the cursor: a date from Postgres, ISO text from SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(value)


_quote = connection.ops.quote_name
_TOTAL_COLUMNS = ", ".join(_quote(name) for name in ROLLUP_TOTAL_NAMES)


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


class Dashboard:
    """Everything the managers' dashboard shows, each part read from the database when first used:
    the page keeps the trend and breakdowns in the cache, so a view of unchanged rollups reads
    neither. About a dozen queries in all, whatever the data's size."""

    def __init__(
        self, *, period: Period, scope: Scope, now: datetime, teams: dict[str, str], services: dict[str, str]
    ) -> None:
        self.period, self.scope, self.now = period, scope, now
        self.teams, self.services = teams, services

    @cached_property
    def _figures(self) -> tuple[Figures, Figures]:
        return figures_with_previous(period=self.period, scope=self.scope)

    @property
    def figures(self) -> Figures:
        return self._figures[0]

    @property
    def previous(self) -> Figures:
        return self._figures[1]

    @cached_property
    def trend(self) -> list[TrendWeek]:
        return weekly_trend(today=self.period.last, scope=self.scope)

    @cached_property
    def _breakdowns(self) -> tuple[dict[str, list[BreakdownRow]], "AgentOverview | None"]:
        labels = dashboard_labels(self.teams, self.services)
        # Filtered to one team, a breakdown by team says nothing more.
        dims = [dim for dim in BREAKDOWNS if dim != self.scope.dim]
        totals = totals_by_dim(period=self.period, scope=self.scope, dims=dims, names=BREAKDOWN_TOTAL_NAMES)
        agents = totals.pop("agent")
        overview = None
        if len(agents) > AGENTS_IN_FULL:
            overview = agent_overview(agents)
        else:
            totals["agent"] = agents
            labels["agent"] = agent_labels(list(agents))
        return {dim: _breakdown_rows(totals[dim], labels[dim]) for dim in dims if dim in totals}, overview

    @property
    def breakdowns(self) -> dict[str, list[BreakdownRow]]:
        """Every breakdown, the agents' only when there are few (see agent_overview)."""
        return self._breakdowns[0]

    @property
    def agent_overview(self) -> "AgentOverview | None":
        return self._breakdowns[1]

    @cached_property
    def backlog(self) -> Backlog:
        # Live, yet read again at most once a minute: it scans every open request.
        return cache.get_or_set(
            f"reports:backlog:{self.scope}",
            lambda: backlog(scope=self.scope, now=self.now),
            settings.REPORTS_LIVE_SECONDS,
        )

    @cached_property
    def processes(self) -> list[dict]:
        return processes_turning_customers_away(period=self.period, scope=self.scope)

    @cached_property
    def waiting(self) -> dict[str, int]:
        return cache.get_or_set("reports:waiting", waiting_counts, settings.REPORTS_LIVE_SECONDS)


@dataclass(frozen=True)
class AgentOverview:
    """The agents' breakdown of a large desk, on the dashboard: how many, and the highest and
    lowest grade point averages (the full table has its own page)."""

    agents: int
    highest: list[BreakdownRow]
    lowest: list[BreakdownRow]
    min_responses: int = AGENT_OVERVIEW_MIN_RESPONSES


def agent_overview(totals: dict[str, dict[str, int]]) -> AgentOverview:
    """The AGENT_OVERVIEW_ROWS agents with the highest and the lowest GPA, of those with at least
    AGENT_OVERVIEW_MIN_RESPONSES answers (fewer say little about anyone)."""
    graded = [
        (gpa(t), key) for key, t in totals.items() if key and t["answered"] >= AGENT_OVERVIEW_MIN_RESPONSES
    ]
    # Equal averages in the order of the ids, both ways, as the full table lists them.
    lowest = [key for _, key in sorted(graded)[:AGENT_OVERVIEW_ROWS]]
    rest = [(points, key) for points, key in graded if key not in lowest]  # nobody on both lists
    highest = [key for _, key in sorted(rest, key=lambda pair: (-pair[0], pair[1]))[:AGENT_OVERVIEW_ROWS]]
    labels = agent_labels(lowest + highest)
    rows = {
        key: BreakdownRow(key, labels.get(key, key), Figures.from_totals(totals[key]))
        for key in {*lowest, *highest}
    }
    return AgentOverview(
        agents=sum(1 for key in totals if key),  # "" is work nobody was assigned
        highest=[rows[key] for key in highest],
        lowest=[rows[key] for key in lowest],
    )


def rollups_version() -> str:
    """Changes whenever any rollup is rebuilt: what cached dashboard parts are keyed on."""
    latest = RollupPeriod.objects.aggregate(built=Max("built_at"), periods=Count("pk"))
    return f"{latest['built'].timestamp() if latest['built'] else 0}-{latest['periods']}"


def dashboard_labels(teams: dict[str, str], services: dict[str, str]) -> dict[str, dict[str, str]]:
    """What each breakdown's keys are called (agents are looked up: there are many)."""
    return {
        "team": {"": "No team", **teams},
        "service": {"": "No service", **services},
        "category": {str(value): str(label) for value, label in CustomerCategory.choices},
        "priority": {str(value): str(label) for value, label in Ticket._meta.get_field("priority").choices},
    }
