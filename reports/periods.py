"""Periods of whole local days, and how a period is read from the rollups."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

# The periods a manager picks from (days), the default first.
PRESET_DAYS = (90, 30, 7, 180, 365, 730)


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

    def pieces(self) -> tuple[list[date], list[tuple[date, date]]]:
        """The whole months inside it (their first days) and the ranges of days left over."""
        months, day_ranges = [], []
        day = self.first
        run_start = None
        while day <= self.last:
            month_end = next_month(day) - timedelta(days=1)
            if day.day == 1 and month_end <= self.last:
                if run_start:
                    day_ranges.append((run_start, day - timedelta(days=1)))
                    run_start = None
                months.append(day)
                day = month_end + timedelta(days=1)
                continue
            run_start = run_start or day
            day += timedelta(days=1)
        if run_start:
            day_ranges.append((run_start, self.last))
        return months, day_ranges

    def __str__(self) -> str:
        return f"{self.first:%d %b %Y} – {self.last:%d %b %Y}"


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
