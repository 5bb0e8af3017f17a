"""Periods of whole local days, and how a period is read from the rollups."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.utils import timezone

# The periods a manager picks from (days), the default first.
PRESET_DAYS = (90, 30, 7, 180, 365, 730)


QUARTER_MONTHS = (1, 4, 7, 10)  # the months quarters start in


class Pieces(NamedTuple):
    quarters: list[date]
    months: list[date]
    weeks: list[date]
    day_ranges: list[tuple[date, date]]


@dataclass(frozen=True)
class Period:
    """From `first` to `last`, both included, in the desk's time zone."""

    first: date
    last: date

    @classmethod
    def ending_today(cls, days: int, *, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(today - timedelta(days=days - 1), today)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def bounds(self) -> tuple[datetime, datetime]:
        """The moments it starts and ends (exclusive), for live queries over timestamps."""
        return day_start(self.first), day_start(self.last + timedelta(days=1))

    def pieces(self) -> "Pieces":
        """What it is read from: its whole quarters, the whole months left, the whole weeks in
        what is left after those (their first days), then the ranges of days left over."""
        months, weeks, day_ranges = [], [], []
        for first, last in _runs_outside_months(self.first, self.last, months):
            monday = first + timedelta(days=-first.weekday() % 7)
            if monday + timedelta(days=6) > last:
                day_ranges.append((first, last))
                continue
            if monday > first:
                day_ranges.append((first, monday - timedelta(days=1)))
            while monday + timedelta(days=6) <= last:
                weeks.append(monday)
                monday += timedelta(weeks=1)
            if monday <= last:
                day_ranges.append((monday, last))
        quarters = [
            month
            for month in months
            if month.month in QUARTER_MONTHS and _quarter_months(month) <= set(months)
        ]
        in_quarters = {month for quarter in quarters for month in _quarter_months(quarter)}
        return Pieces(quarters, [month for month in months if month not in in_quarters], weeks, day_ranges)

    def __str__(self) -> str:
        return f"{self.first:%d %b %Y} – {self.last:%d %b %Y}"


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _runs_outside_months(first: date, last: date, months: list[date]) -> list[tuple[date, date]]:
    """Collect into `months` the whole months from first to last; return the runs of days between."""
    runs = []
    day, run_start = first, None
    while day <= last:
        month_end = next_month(day) - timedelta(days=1)
        if day.day == 1 and month_end <= last:
            if run_start:
                runs.append((run_start, day - timedelta(days=1)))
                run_start = None
            months.append(day)
            day = month_end + timedelta(days=1)
            continue
        run_start = run_start or day
        day += timedelta(days=1)
    if run_start:
        runs.append((run_start, last))
    return runs


def quarter_start(day: date) -> date:
    return day.replace(month=day.month - (day.month - 1) % 3, day=1)


def _quarter_months(first: date) -> set[date]:
    second = next_month(first)
    return {first, second, next_month(second)}
