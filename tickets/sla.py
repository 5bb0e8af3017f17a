"""Business-hours arithmetic for SLA clocks. Pure functions over a WorkingCalendar: no database."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A calendar with no working time at all would loop forever; nobody waits longer than this.
_MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class WorkingCalendar:
    """When the service desk works: hours per weekday (0 = Monday) in a time zone, minus holidays."""

    time_zone: ZoneInfo
    hours: dict[int, tuple[time, time]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working period of one local day, or None when the desk is closed."""
        if day in self.holidays or day.weekday() not in self.hours:
            return None
        start, end = self.hours[day.weekday()]
        return datetime.combine(day, start, self.time_zone), datetime.combine(day, end, self.time_zone)


def add_business_minutes(calendar: WorkingCalendar, start: datetime, minutes: float) -> datetime:
    """The moment `minutes` of working time after `start` (a target counted in business hours)."""
    remaining = timedelta(minutes=minutes)
    moment = start.astimezone(calendar.time_zone)
    day = moment.date()
    for _ in range(_MAX_DAYS):
        window = calendar.window(day)
        if window:
            opens, closes = window
            begin = max(moment, opens)
            if begin < closes:
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
        day += timedelta(days=1)
    raise ValueError("The working calendar has no working time in the next three years.")


def business_minutes_between(calendar: WorkingCalendar, start: datetime, end: datetime) -> float:
    """Working minutes from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    start = start.astimezone(calendar.time_zone)
    end = end.astimezone(calendar.time_zone)
    total = timedelta()
    day = start.date()
    while day <= end.date():
        window = calendar.window(day)
        if window:
            begin, finish = max(start, window[0]), min(end, window[1])
            if begin < finish:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds() / 60
