"""Keep the rollups equal to the live data: mark what changed stale, rebuild it, sum the months.

A change to a ticket marks the day it was created stale (its first answer, resolution and SLA
belong to that day); a change to a survey marks the day its ticket was resolved (the report
card covers resolutions). `rollups_refresh`, run by Celery every minute, rebuilds each stale day
from the live tables, then each week and month whose days changed, then each quarter whose
months changed. Rebuilding, not adding deltas, means
a refresh that runs twice or a change counted twice can never leave the sums wrong.
"""

import bisect
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import CustomerCategory
from surveys.figures import survey_total_aggregates
from surveys.models import Survey
from tickets.models import Ticket

from .models import DURATION_BUCKETS, ROLLUP_TOTAL_NAMES, Rollup, RollupPeriod, Span
from .periods import Period, next_month, quarter_start, week_start

# The finest grain a day is summed at, and where each dimension is read: (the survey's field, the
# ticket's column). A survey copies who and what it grades when it is made; the channel it reads
# through its ticket (set when the ticket is made, never changed). A new dimension is one entry
# here, and its title and labels in selectors.BREAKDOWNS and dashboard_labels.
FINE_COLUMNS = {
    "agent": ("agent_id", "assignee_id"),
    "team": ("team_id", "team_id"),
    "service": ("service_id", "service_id"),
    "category": ("customer_category", "category"),  # the customer's category now (annotated)
    "priority": ("priority", "priority"),
    "channel": ("ticket__channel", "channel"),
}
FINE_DIMS = tuple(FINE_COLUMNS)
SURVEY_FIELDS = {dim: survey for dim, (survey, _ticket) in FINE_COLUMNS.items()}
# The dimensions a rollup row can be filtered by and broken down by ("all": no breakdown).
FILTER_DIMS = ("", "team", "service", "category", "channel")
BREAKDOWN_DIMS = ("all", *FINE_DIMS)

FineKey = tuple[str, ...]  # one key per FINE_DIMS, in their order
SLICE_COLUMNS = ("filter_dim", "filter_key", "dim", "key")


def rollup_days_mark_stale(days: Iterable[date]) -> None:
    """Ask for these days' rollups to be rebuilt (in the transaction of the change)."""
    periods = [RollupPeriod(span=Span.DAY, start=day, stale=True) for day in set(days)]
    if periods:
        RollupPeriod.objects.bulk_create(
            periods, update_conflicts=True, unique_fields=["span", "start"], update_fields=["stale"]
        )


def rollups_refresh(*, limit: int = 400) -> int:
    """Rebuild up to `limit` stale days, newest first, then their months; returns days rebuilt.

    Each day is claimed with FOR UPDATE SKIP LOCKED, so two refreshes never build the same one.
    """
    built = 0
    while built < limit and _period_rebuild(Span.DAY):
        built += 1
    for span in (Span.WEEK, Span.MONTH, Span.QUARTER):  # quarters sum months: after them
        while _period_rebuild(span):
            pass
    return built


def rollups_rebuild(period: Period) -> int:
    """Rebuild every day of a period (a first build, or after a change of the rules)."""
    days = [period.first + timedelta(days=n) for n in range(period.days)]
    with transaction.atomic():
        rollup_days_mark_stale(days)
    total = 0
    while built := rollups_refresh(limit=len(days)):
        total += built
    return total


def _period_rebuild(span: str) -> bool:
    with transaction.atomic():
        period = (
            RollupPeriod.objects.select_for_update(skip_locked=True)
            .filter(span=span, stale=True)
            .order_by("-start")
            .first()
        )
        if period is None:
            return False
        if span == Span.DAY:
            _day_build(period.start)
            sums = [
                RollupPeriod(span=Span.WEEK, start=week_start(period.start), stale=True),
                RollupPeriod(span=Span.MONTH, start=period.start.replace(day=1), stale=True),
            ]
            RollupPeriod.objects.bulk_create(
                sums, update_conflicts=True, unique_fields=["span", "start"], update_fields=["stale"]
            )
        elif span == Span.WEEK:
            _sum_build(Span.WEEK, period.start, period.start + timedelta(weeks=1))
        elif span == Span.MONTH:
            _sum_build(Span.MONTH, period.start, next_month(period.start))
            # Marked in this transaction, so a quarter summed meanwhile from the month's old rows
            # is built again.
            quarter = RollupPeriod(span=Span.QUARTER, start=quarter_start(period.start), stale=True)
            RollupPeriod.objects.bulk_create(
                [quarter], update_conflicts=True, unique_fields=["span", "start"], update_fields=["stale"]
            )
        else:
            end = next_month(next_month(next_month(period.start)))
            _sum_build(Span.QUARTER, period.start, end, source=Span.MONTH)
        period.stale = False
        period.built_at = timezone.now()
        period.save(update_fields=["stale", "built_at"])
    return True


def _day_build(day: date) -> None:
    slices: dict[tuple[str, str, str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(ROLLUP_TOTAL_NAMES, 0)
    )
    for fine_key, totals in fine_totals(Period(day, day)).items():
        keys = (*fine_key, "")  # the last: the key of no filter and of "all"
        counted = [(name, value) for name, value in totals.items() if value]  # most totals are 0
        for filter_dim, filter_at, dim, dim_at in _SLICES:
            row = slices[(filter_dim, keys[filter_at], dim, keys[dim_at])]
            for name, value in counted:
                row[name] += value
    Rollup.objects.filter(span=Span.DAY, start=day).delete()
    # Each row's totals are in ROLLUP_TOTAL_NAMES' order (made by dict.fromkeys, only added to).
    _rows_insert([(Span.DAY, day, *slice_, *totals.values()) for slice_, totals in slices.items()])


# Every (filter, breakdown) a day is sliced into, with where each one's key is in a fine key (-1:
# none). Filtered to one team, a breakdown by team says nothing more.
_SLICES = [
    (
        filter_dim,
        FINE_DIMS.index(filter_dim) if filter_dim else -1,
        dim,
        FINE_DIMS.index(dim) if dim != "all" else -1,
    )
    for filter_dim in FILTER_DIMS
    for dim in BREAKDOWN_DIMS
    if dim != filter_dim
]


def _rows_insert(rows: list[tuple]) -> None:
    """Insert rollup rows (span, start, slice, totals…) straight through the cursor: a day is
    thousands of rows of fifty columns, and the ORM's bulk_create spends seconds preparing them.
    On Postgres by COPY, which costs a fraction of a multi-row INSERT on both sides."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(Rollup._meta.db_table)
    columns = ", ".join(quote(name) for name in ("span", "start", *SLICE_COLUMNS, *ROLLUP_TOTAL_NAMES))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            lines = "\n".join(_copy_line(row) for row in rows)
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(lines))
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(rows[0]))})"
            cursor.executemany(sql, rows)


def _copy_line(row: tuple) -> str:
    """A row in COPY's text format: tab-separated, the slice's four keys escaped (the rest are a
    span letter, a date and counts)."""
    span, start, *keys = row[:6]
    return "\t".join((span, str(start), *(key.translate(_COPY_ESCAPES) for key in keys), *map(str, row[6:])))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _sum_build(span: str, first: date, end: date, source: str = Span.DAY) -> None:
    """A week's, month's or quarter's rows: the sums of the rows of its days (or months) from
    first to end, exclusive."""
    Rollup.objects.filter(span=span, start=first).delete()
    quote = connection.ops.quote_name
    table, slice_columns = quote(Rollup._meta.db_table), "filter_dim, filter_key, dim, " + quote("key")
    columns = ", ".join(quote(name) for name in ROLLUP_TOTAL_NAMES)
    sums = ", ".join(f"SUM({quote(name)})" for name in ROLLUP_TOTAL_NAMES)
    with connection.cursor() as cursor:
        # One statement: a month's days can be a hundred thousand rows.
        cursor.execute(
            f"INSERT INTO {table} (span, start, {slice_columns}, {columns}) "
            f"SELECT %s, %s, {slice_columns}, {sums} FROM {table} "
            f"WHERE span = %s AND start >= %s AND start < %s GROUP BY {slice_columns}",
            [span, first, source, first, end],
        )


def fine_totals(period: Period) -> dict[FineKey, dict[str, int]]:
    """Every total of a period from the live tables, at the finest grain (FINE_DIMS)."""
    fine: dict[FineKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ROLLUP_TOTAL_NAMES, 0))
    starts, ends = period.bounds()
    surveys = (
        Survey.objects.filter(resolved_at__gte=starts, resolved_at__lt=ends, cancelled_at__isnull=True)
        .order_by()
        .values(*_SURVEY_COLUMNS)
        .annotate(**survey_total_aggregates())
    )
    for row in surveys:
        totals = fine[_key(row[column] for column in _SURVEY_COLUMNS)]
        for name, value in row.items():
            if name in totals:
                totals[name] += value or 0
    tickets = (
        Ticket.objects.filter(created_at__gte=starts, created_at__lt=ends)
        .annotate(category=_CUSTOMER_CATEGORY)
        .values_list(*_TICKET_TIMES, *_TICKET_KEY_COLUMNS)
    )
    for created, responded, first_due, resolved, due, status, *key in tickets:
        totals = fine[_key(key)]
        totals["tickets_created"] += 1
        if responded:
            totals["first_responded"] += 1
            totals["first_response_met"] += responded <= first_due
            totals[f"first_response_b{duration_bucket(responded - created)}"] += 1
        if resolved and status in Ticket.RESOLVED_STATUSES:
            totals["resolved"] += 1
            totals["resolution_met"] += resolved <= due
            totals[f"resolution_b{duration_bucket(resolved - created)}"] += 1
    return fine


def duration_bucket(elapsed: timedelta) -> int:
    """The bucket of DURATION_BUCKETS a duration falls in (bounds included in their bucket)."""
    return bisect.bisect_left(DURATION_BUCKETS, elapsed.total_seconds() / 60)


def _key(values: Iterable) -> FineKey:
    """A fine key from the FINE_DIMS' values of a survey or ticket: ids as text, "" for none."""
    return tuple(
        str(value) if value not in (None, "") else empty
        for value, empty in zip(values, _EMPTY_KEYS, strict=True)
    )


_SURVEY_COLUMNS = tuple(survey for survey, _ticket in FINE_COLUMNS.values())
_TICKET_KEY_COLUMNS = tuple(ticket for _survey, ticket in FINE_COLUMNS.values())
_TICKET_TIMES = (
    "created_at",
    "first_responded_at",
    "first_response_due_at",
    "resolved_at",
    "resolution_due_at",
    "status",
)
# What an empty value counts as: nobody, no team… but a customer with no category is general.
_EMPTY_KEYS = tuple(CustomerCategory.GENERAL if dim == "category" else "" for dim in FINE_DIMS)
# A customer without a profile is a general customer.
_CUSTOMER_CATEGORY = Coalesce(
    F("customer__customer_profile__category"), Value(CustomerCategory.GENERAL), output_field=CharField()
)
