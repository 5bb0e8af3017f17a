"""Invitations through a real worker on the real broker: exactly one, at most one reminder."""

import time
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import publisher
from notifications.models import OutboundEmail
from notifications.services import outbound_email_relay
from surveys.models import Survey
from surveys.services import surveys_due_send
from surveys.tasks import survey_invite_send_task, surveys_due_send_task
from tickets.services import ticket_claim

from ..accounts.factories import AgentFactory
from ..tickets.factories import TicketFactory
from ..waiting import wait_until


def _sent(template: str) -> int:
    return OutboundEmail.objects.filter(template=template, status=OutboundEmail.Status.SENT).count()


def _resolve_from_the_desk(client) -> Survey:
    agent = AgentFactory()
    ticket = TicketFactory()
    ticket_claim(ticket=ticket, agent=agent)
    client.force_login(agent)
    response = client.post(reverse("tickets:agent_status", args=[ticket.pk]), {"status": "resolved"})
    assert response.status_code == 302
    return Survey.objects.get(ticket=ticket)


def test_resolving_invites_the_customer_exactly_once(celery_worker, client, settings):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0
    settings.SURVEY_REMINDER_AFTER_DAYS = 0  # the reminder falls due at once, to watch it go once too

    survey = _resolve_from_the_desk(client)
    wait_until(lambda: _sent("surveys/invitation") == 1, message="the invitation, queued on commit")

    # A duplicate delivery of the task, and sweeps overlapping it, change nothing more.
    survey_invite_send_task.delay(survey.pk)
    survey_invite_send_task.delay(survey.pk)
    surveys_due_send_task.delay()
    surveys_due_send_task.delay()
    wait_until(lambda: _sent("surveys/reminder") == 1, message="the reminder")
    time.sleep(1)

    assert _sent("surveys/invitation") == 1 and _sent("surveys/reminder") == 1
    sent_to_customer = [
        m for m in mail.outbox if m.to == [survey.customer.email] and "How did IT do" in m.subject
    ]
    assert len(sent_to_customer) == 1


def test_resolving_while_the_broker_is_down_still_invites_once_it_is_back(
    celery_worker, client, settings, broker_down
):
    settings.SURVEY_INVITE_DELAY_MINUTES = 0

    started = time.monotonic()
    survey = _resolve_from_the_desk(client)
    elapsed = time.monotonic() - started
    publisher.drain()

    assert elapsed < 2.0  # the request never waited on the broker
    assert not OutboundEmail.objects.filter(template="surveys/invitation").exists()

    broker_down.end()
    assert surveys_due_send() == (1, 0)  # the periodic sweep finds it in the database
    outbound_email_relay(now=timezone.now() + timedelta(minutes=2))
    wait_until(lambda: _sent("surveys/invitation") == 1, message="the invitation after the outage")
    survey.refresh_from_db()
    assert survey.invited_at is not None
