"""The SLA clock counts only working time: weekday hours in the desk's time zone, minus holidays."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tickets.sla import WorkingCalendar, add_business_minutes, business_minutes_between

LONDON = ZoneInfo("Europe/London")
# Monday to Friday, 09:00–17:00: eight working hours a day.
CALENDAR = WorkingCalendar(
    time_zone=LONDON,
    hours={weekday: (time(9), time(17)) for weekday in range(5)},
    holidays=frozenset({date(2026, 12, 25)}),
)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (at(23, 10), 60, at(23, 11)),  # Monday morning, within the day
        (at(23, 16), 120, at(24, 10)),  # runs over into Tuesday morning
        (at(23, 7), 30, at(23, 9, 30)),  # before opening: the clock starts at 09:00
        (at(23, 18), 30, at(24, 9, 30)),  # after closing: starts next morning
        (at(27, 16), 120, at(30, 10)),  # Friday afternoon: over the weekend to Monday
        (at(28, 12), 60, at(30, 10)),  # submitted on Saturday
        (at(24, 16, month=12), 120, at(28, 10, month=12)),  # Christmas Day is a holiday
        (at(23, 10), 5 * 8 * 60, at(30, 10)),  # one working week later
    ],
)
def test_add_business_minutes(start, minutes, due):
    assert add_business_minutes(CALENDAR, start, minutes) == due


def test_clock_keeps_local_office_hours_across_the_clock_change():
    # London moves from GMT to BST on Sunday 29 March 2026.
    friday = datetime(2026, 3, 27, 16, tzinfo=LONDON)

    due = add_business_minutes(CALENDAR, friday, 120)

    assert due == datetime(2026, 3, 30, 10, tzinfo=LONDON)
    assert due.utcoffset().total_seconds() == 3600


def test_start_given_in_utc_is_read_in_the_desks_time_zone():
    start = datetime(2026, 7, 1, 8, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in London (BST)

    assert add_business_minutes(CALENDAR, start, 60) == datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        (at(23, 10), at(23, 11), 60),
        (at(23, 16), at(24, 10), 120),
        (at(27, 16), at(30, 10), 120),  # the weekend does not count
        (at(28, 10), at(29, 10), 0),  # nor does a weekend alone
        (at(23, 11), at(23, 10), 0),  # end before start
    ],
)
def test_business_minutes_between(start, end, minutes):
    assert business_minutes_between(CALENDAR, start, end) == minutes


def test_adding_then_measuring_round_trips():
    start = at(26, 15, 17)

    due = add_business_minutes(CALENDAR, start, 1234)

    assert business_minutes_between(CALENDAR, start, due) == 1234


def test_a_calendar_with_no_working_time_is_refused():
    closed = WorkingCalendar(time_zone=LONDON, hours={})

    with pytest.raises(ValueError, match="no working time"):
        add_business_minutes(closed, at(23, 10), 60)
