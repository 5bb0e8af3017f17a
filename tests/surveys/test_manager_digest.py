"""The managers' morning digest: yesterday's grades, breaches, recovery and processes, once a day."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification, OutboundEmail
from surveys.models import Survey
from surveys.services import manager_digest_send, survey_answer
from tickets.models import TicketEvent

from ..accounts.factories import ManagerFactory
from .factories import resolved_ticket

pytestmark = pytest.mark.django_db


def test_the_digest_tells_each_manager_about_yesterday_once():
    managers = ManagerFactory.create_batch(2)
    yesterday = timezone.localdate() - timedelta(days=1)
    noon = timezone.make_aware(datetime.combine(yesterday, datetime.min.time())) + timedelta(hours=12)
    for grade in ("A", "F"):
        survey = resolved_ticket(now=noon - timedelta(hours=2)).surveys.get()
        survey_answer(survey=survey, answers={"grade": grade, "comment": "Nobody called"}, now=noon)
    breached = resolved_ticket(now=noon)
    TicketEvent.objects.create(
        ticket=breached, kind="sla_breached", note="First answer was due Mon", created_at=noon
    )
    today = resolved_ticket().surveys.get()
    Survey.objects.filter(pk=today.pk).update(answered_at=timezone.now(), grade="D")  # today: not in it

    assert manager_digest_send(day=yesterday) == 2
    assert manager_digest_send(day=yesterday) == 2  # a second run (two beats) sends nothing more

    digests = OutboundEmail.objects.filter(template="surveys/manager_digest")
    assert sorted(digests.values_list("to_address", flat=True)) == sorted(m.email for m in managers)
    body = digests.first().body_text
    assert "GPA 2.00" in body and "A 1" in body and "F 1" in body and "D 0" in body
    assert "Nobody called" in body
    assert breached.reference in body
    assert "1 opened yesterday" in body  # the F's recovery case
    assert Notification.objects.filter(key__startswith="manager-digest:").count() == 2
