"""The scan hands what is due to real workers: once each, however often it runs, broker or not."""

import time
from datetime import time as clock
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import publisher
from notifications.models import OutboundEmail
from tickets.models import BusinessCalendar, Ticket, WorkingHours
from tickets.services import followups_scan, ticket_claim, ticket_create
from tickets.tasks import followup_process_task

from ..accounts.factories import AgentFactory, CustomerFactory
from ..waiting import wait_until
from .factories import ServiceFactory


def _due_tickets(count: int) -> list[Ticket]:
    """Open tickets whose customer was due an update a minute ago, each with an assignee."""
    tickets = []
    for _ in range(count):
        ticket = ticket_create(
            customer=CustomerFactory(),
            title="VPN down",
            description="-",
            service=ServiceFactory(),
            urgency="high",
            impact="high",
        )
        ticket_claim(ticket=ticket, agent=AgentFactory())
        tickets.append(ticket)
    # Due a minute ago (the always_open calendar makes any moment working time).
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        followup_due_at=timezone.now() - timedelta(minutes=1), sla_alert_due_at=None
    )
    return tickets


def _nudges_sent() -> int:
    return OutboundEmail.objects.filter(template="tickets/update_due", status="sent").count()


@pytest.fixture
def always_open(transactional_db) -> None:
    """A desk open around the clock, so the test may run at any hour."""
    calendar = BusinessCalendar.objects.create(name="Always", time_zone="UTC", is_default=True)
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=day, opens=clock(0), closes=clock(23, 59, 59))
        for day in range(7)
    )


def test_a_scan_run_twice_and_tasks_delivered_twice_send_one_nudge_each(celery_worker, always_open):
    tickets = _due_tickets(5)

    assert followups_scan() == 5
    assert followups_scan() == 0  # claimed: a second scan (or a second beat) hands out nothing

    followup_process_task.delay([t.pk for t in tickets])  # a duplicate delivery does nothing
    wait_until(lambda: _nudges_sent() == 5, message="five nudges")
    time.sleep(1)

    assert _nudges_sent() == 5
    assert len([m for m in mail.outbox if "due an update" in m.subject]) == 5
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.followup_stage == "update" and ticket.followup_enqueued_at is None


def test_while_the_broker_is_down_nothing_is_lost(celery_worker, broker_down, always_open):
    _due_tickets(3)

    assert followups_scan() == 0  # nothing could be handed out ...
    assert Ticket.objects.filter(followup_enqueued_at__isnull=False).count() == 0  # ... so nothing is claimed

    broker_down.end()
    publisher.drain()
    assert followups_scan() == 3
    wait_until(lambda: _nudges_sent() == 3, message="the nudges after the outage")
