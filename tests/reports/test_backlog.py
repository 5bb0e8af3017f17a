"""The dashboard's live health: open requests by age, breaching now, and the minute it may lag."""

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache.backends import locmem
from django.urls import reverse
from django.utils import timezone

from reports.selectors import BACKLOG_AGES, backlog
from reports.totals import Scope

from ..tickets.factories import TeamFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_open_requests_by_age_and_those_breaching_now():
    now = timezone.now()
    field = TeamFactory(name="Field")
    for hours in (2, 30, 30, 100, 24 * 10, 24 * 40):  # under a day, 1–3 days ×2, 3–7, 1–4 weeks, older
        TicketFactory(created_at=now - timedelta(hours=hours), team=field if hours == 30 else None)
    TicketFactory(created_at=now - timedelta(hours=5), status="resolved", resolved_at=now)  # not open
    # Late for its first answer; late for resolution; late but paused (waiting on the customer).
    TicketFactory(created_at=now - timedelta(hours=3), first_response_due_at=now - timedelta(minutes=1))
    TicketFactory(created_at=now - timedelta(hours=3), resolution_due_at=now - timedelta(minutes=1))
    TicketFactory(
        created_at=now - timedelta(hours=3),
        resolution_due_at=now - timedelta(hours=1),
        status="pending",
        sla_paused_at=now - timedelta(hours=2),
    )

    whole = backlog(scope=Scope(), now=now)
    field_only = backlog(scope=Scope("team", str(field.pk)), now=now)

    assert [label for label, _ in whole.by_age] == [label for label, _ in BACKLOG_AGES]
    assert [count for _, count in whole.by_age] == [4, 2, 1, 1, 1]
    assert whole.open_total == 9
    # Every factory ticket older than 8 hours has missed its first answer (due 8 hours in).
    assert whole.breaching_now == 2 + 5
    assert (field_only.open_total, [count for _, count in field_only.by_age]) == (2, [0, 2, 0, 0, 0])


def test_the_dashboard_shows_the_backlog_at_most_a_minute_old(manager_client, monkeypatch):
    def open_total() -> int:
        return manager_client.get(reverse("reports:dashboard")).context["board"].backlog.open_total

    TicketFactory()
    assert open_total() == 1
    TicketFactory()
    assert open_total() == 1  # read again within the minute: kept

    a_minute_later = time.time() + 61
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: a_minute_later))
    assert open_total() == 2


@pytest.mark.parametrize(("dim", "key"), [("channel", "phone"), ("channel", "walk_in"), ("category", "vip")])
def test_breaching_now_links_to_the_queue_with_the_same_filter(manager_client, dim, key):
    page = manager_client.get(reverse("reports:dashboard"), {"scope": f"{dim}:{key}"}).content.decode()

    assert f'href="{reverse("tickets:queue")}?sla=breached&amp;{dim}={key}"' in page
