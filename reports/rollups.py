"""Keep the rollups equal to the live data: mark what changed stale, rebuild it, sum the months.

A change to a ticket marks the day it was created stale (its first answer, resolution and SLA
belong to that day); a change to a survey marks the day its ticket was resolved (the report
card covers resolutions). `rollups_refresh`, run by Celery every minute, rebuilds each stale day
from the live tables, then each week and month whose days changed, then each quarter whose
months changed. Rebuilding, not adding deltas, means
a refresh that runs twice or a change counted twice can never leave the sums wrong.
"""

import bisect
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

# The dimensions a rollup row can be filtered by and broken down by ("all": no breakdown).
FILTER_DIMS = ("", "team", "service", "category")
BREAKDOWN_DIMS = ("all", "agent", "team", "service", "category", "priority")
# The finest grain a day is summed at: who, which team and service, whose category, how urgent.
FINE_DIMS = ("agent", "team", "service", "category", "priority")

FineKey = tuple[str, str, str, str, str]
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
        fine = dict(zip(FINE_DIMS, fine_key, strict=True))
        counted = [(name, value) for name, value in totals.items() if value]  # most totals are 0
        for filter_dim in FILTER_DIMS:
            for dim in BREAKDOWN_DIMS:
                if dim == filter_dim:
                    continue
                row = slices[(filter_dim, fine.get(filter_dim, ""), dim, fine.get(dim, ""))]
                for name, value in counted:
                    row[name] += value
    Rollup.objects.filter(span=Span.DAY, start=day).delete()
    _rows_insert(
        [
            (Span.DAY, day, f, fk, d, k, *(totals[name] for name in ROLLUP_TOTAL_NAMES))
            for (f, fk, d, k), totals in slices.items()
        ]
    )


def _rows_insert(rows: list[tuple]) -> None:
    """Insert rollup rows (span, start, slice, totals…) straight through the cursor: a day is
    thousands of rows of fifty columns, and the ORM's bulk_create spends seconds preparing them."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("span", "start", *SLICE_COLUMNS, *ROLLUP_TOTAL_NAMES))
    sql = f"INSERT INTO {quote(Rollup._meta.db_table)} ({columns}) VALUES "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, sql + "%s", rows, page_size=1000)
        else:
            cursor.executemany(sql + "(" + ", ".join(["%s"] * len(rows[0])) + ")", rows)


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
        .values("agent_id", "team_id", "service_id", "customer_category", "priority")
        .annotate(**survey_total_aggregates())
    )
    for row in surveys:
        key = _key(
            row["agent_id"], row["team_id"], row["service_id"], row["customer_category"], row["priority"]
        )
        for name, value in row.items():
            if name in fine[key]:
                fine[key][name] += value or 0
    tickets = (
        Ticket.objects.filter(created_at__gte=starts, created_at__lt=ends)
        .annotate(category=_CUSTOMER_CATEGORY)
        .values_list(*_TICKET_COLUMNS)
    )
    for (
        agent,
        team,
        service,
        category,
        priority,
        created,
        responded,
        first_due,
        resolved,
        due,
        status,
    ) in tickets:
        totals = fine[_key(agent, team, service, category, priority)]
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


def _key(agent, team, service, category, priority) -> FineKey:
    return (
        str(agent or ""),
        str(team or ""),
        str(service or ""),
        category or CustomerCategory.GENERAL,
        priority,
    )


_TICKET_COLUMNS = (
    "assignee_id",
    "team_id",
    "service_id",
    "category",
    "priority",
    "created_at",
    "first_responded_at",
    "first_response_due_at",
    "resolved_at",
    "resolution_due_at",
    "status",
)
# A customer without a profile is a general customer.
_CUSTOMER_CATEGORY = Coalesce(
    F("customer__customer_profile__category"), Value(CustomerCategory.GENERAL), output_field=CharField()
)
