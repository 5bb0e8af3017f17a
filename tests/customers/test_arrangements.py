"""Proactive arrangements: the owner is reminded once per due date, and the customer's page
shows whether the asks stopped."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import ArrangementReminder, ProactiveArrangement
from customers.services import arrangement_create, arrangement_reminders_send
from customers.tasks import arrangement_reminders_task
from notifications.models import OutboundEmail

from ..tickets.factories import OutOfScopeServiceFactory, TicketFactory
from ..waiting import wait_until

TODAY = date(2026, 11, 23)


def _arrangement(customer, agent, **changes) -> ProactiveArrangement:
    fields = {
        "need": "Printer paper, floor 9",
        "service": None,
        "owning_department": "Facilities",
        "contact_name": "Grace Mensah",
        "contact_email": "facilities@example.com",
        "cadence_days": 14,
        "first_due_on": TODAY,
    }
    return arrangement_create(customer=customer, by=agent, **{**fields, **changes})


@pytest.mark.django_db
def test_a_due_arrangement_reminds_its_owner_once_and_moves_on(customer, agent):
    arrangement = _arrangement(customer, agent)

    assert arrangement_reminders_send(today=TODAY) == 1
    assert arrangement_reminders_send(today=TODAY) == 0

    arrangement.refresh_from_db()
    assert arrangement.next_due_on == TODAY + timedelta(days=14)
    email = OutboundEmail.objects.get(template="customers/arrangement_due")
    assert email.to_address == "facilities@example.com"
    assert "Printer paper, floor 9" in email.body_text
    assert "repeat" not in email.body_text.lower() and "vip" not in email.body_text.lower()
    assert ArrangementReminder.objects.get().due_on == TODAY


@pytest.mark.django_db
def test_nothing_is_sent_before_it_is_due_or_once_it_is_stopped(customer, agent):
    _arrangement(customer, agent, first_due_on=TODAY + timedelta(days=1))
    stopped = _arrangement(customer, agent)
    stopped.is_active = False
    stopped.save()

    assert arrangement_reminders_send(today=TODAY) == 0
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_a_run_missed_for_weeks_sends_one_reminder_and_catches_up(customer, agent):
    arrangement = _arrangement(customer, agent, first_due_on=TODAY - timedelta(days=30))

    assert arrangement_reminders_send(today=TODAY) == 1

    arrangement.refresh_from_db()
    assert arrangement.next_due_on > TODAY


def test_the_beat_task_sends_reminders_through_a_real_worker(celery_worker, customer, agent):
    _arrangement(customer, agent, first_due_on=timezone.localdate())

    arrangement_reminders_task.delay()

    wait_until(
        lambda: OutboundEmail.objects.filter(template="customers/arrangement_due").exists(),
        message="reminder",
    )


@pytest.mark.django_db
def test_the_customers_page_shows_whether_the_asks_stopped(agent_client, customer, agent):
    paper = OutOfScopeServiceFactory()
    started = datetime(2026, 10, 1, 9, tzinfo=ZoneInfo("Europe/London"))
    for days_before in (5, 12, 20):
        TicketFactory(customer=customer, service=paper, created_at=started - timedelta(days=days_before))
    arrangement = _arrangement(customer, agent, service=paper)
    arrangement.started_on = started.date()
    arrangement.save()

    page = agent_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()

    assert "Printer paper, floor 9" in page
    assert "3 in the same time before, 0 since." in page
    assert "They stopped asking." in page


@pytest.mark.django_db
def test_staff_set_up_an_arrangement_and_bad_input_is_explained(agent_client, customer_client, customer):
    url = reverse("customers:arrangement_add", args=[customer.pk])
    data = {
        "need": "Toner, floor 9",
        "owning_department": "Facilities",
        "contact_name": "Grace",
        "contact_email": "not-an-address",
        "cadence_days": 30,
        "first_due_on": "2026-12-01",
    }

    refused = agent_client.post(url, data)
    assert refused.status_code == 400
    assert "Enter a valid email address." in refused.content.decode()
    assert 'value="Toner, floor 9"' in refused.content.decode()

    assert agent_client.post(url, {**data, "contact_email": "grace@example.com"}).status_code == 302
    assert ProactiveArrangement.objects.get().next_due_on == date(2026, 12, 1)
    assert customer_client.post(url, data).status_code == 403
