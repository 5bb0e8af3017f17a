"""Reading the rollups: the summed totals of a period, for a filter and a breakdown, and the
figures they make (the report card and the service's health). Written as SQL over constant
column names, in a fixed, small number of queries whatever the data's size."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max, QuerySet

from customers import selectors as customer_selectors
from surveys.figures import GRADE_TOTALS, ReportCard, ratio
from surveys.models import Survey
from tickets.models import Ticket

from .models import BUCKET_COUNT, DURATION_BUCKETS, ROLLUP_TOTAL_NAMES, Rollup, RollupPeriod, Span
from .periods import Period, week_start
from .rollups import FILTER_DIMS, FINE_COLUMNS, SURVEY_FIELDS

TREND_WEEKS = 26
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


@dataclass(frozen=True)
class Scope:
    """The one filter a dashboard is read with (rollups are kept per filter): a team, a
    service, a customer category, a channel, or none."""

    dim: str = ""
    key: str = ""

    @classmethod
    def parse(cls, value: str) -> "Scope":
        dim, _, key = (value or "").partition(":")
        return cls(dim, key) if dim in FILTER_DIMS and dim and key else cls()

    def __str__(self) -> str:
        return f"{self.dim}:{self.key}" if self.dim else ""

    def tickets(self, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.dim == "category":  # the customer's category now, as the rollups count it
            return tickets.filter(customer_selectors.customer_in_category(self.key))
        if self.dim:
            return tickets.filter(**{FINE_COLUMNS[self.dim][1]: self.key})
        return tickets

    def surveys(self, surveys: QuerySet[Survey]) -> QuerySet[Survey]:
        return surveys.filter(**{SURVEY_FIELDS[self.dim]: self.key}) if self.dim else surveys


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


def rollups_version() -> str:
    """Changes whenever any rollup is rebuilt: what cached dashboard parts are keyed on."""
    latest = RollupPeriod.objects.aggregate(built=Max("built_at"), periods=Count("pk"))
    return f"{latest['built'].timestamp() if latest['built'] else 0}-{latest['periods']}"
