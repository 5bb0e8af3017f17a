from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from tickets.models import BusinessCalendar, WorkingHours

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in November 2026 (Monday the 23rd to Friday the 27th is a working week), London time."""
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def office_hours(db) -> BusinessCalendar:
    """Monday to Friday, 09:00–17:00 in London: eight working hours a day."""
    calendar = BusinessCalendar.objects.create(
        name="London office", time_zone="Europe/London", is_default=True
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=weekday, opens=time(9), closes=time(17))
        for weekday in range(5)
    )
    return calendar


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Uploaded files go to a throwaway folder, never var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
