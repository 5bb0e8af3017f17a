"""Which changes become which events, for which endpoints, saying what (and never more), written in
the transaction of the change; and the retry's backoff."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from surveys.models import RecoveryCase
from surveys.services import survey_answer
from tickets.services import sla_alert_process, ticket_claim, ticket_create, ticket_status_change
from webhooks import events, services
from webhooks.models import WebhookDelivery

from ..accounts.factories import AgentFactory, CustomerFactory
from ..surveys.factories import resolved_ticket
from ..tickets.conftest import at, office_hours  # noqa: F401 (a fixture)
from ..tickets.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def _types(endpoint=None) -> list[str]:
    deliveries = WebhookDelivery.objects.order_by("pk")
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    return list(deliveries.values_list("event_type", flat=True))


def _urgent(now):
    ticket = ticket_create(
        customer=CustomerFactory(),
        title="Payroll server down",
        description="Nobody can log in.",
        service=ServiceFactory(),
        urgency="high",
        impact="high",
        now=now,
    )
    ticket_claim(ticket=ticket, agent=AgentFactory(first_name="Priya", last_name="Raman"), now=now)
    ticket.refresh_from_db()
    return ticket


def test_ticket_changes_become_events_for_the_endpoints_listening(endpoint_for, manager):
    everything = endpoint_for("http://127.0.0.1/all")
    created_only = endpoint_for("http://127.0.0.1/created", [events.TICKET_CREATED])
    endpoint_for("http://127.0.0.1/off", is_active=False)
    agent = AgentFactory()

    ticket = _urgent(timezone.now())
    ticket_status_change(ticket=ticket, by=agent, status="resolved")

    assert _types(everything) == [events.TICKET_CREATED, events.TICKET_ASSIGNED, events.TICKET_STATUS_CHANGED]
    assert _types(created_only) == [events.TICKET_CREATED]
    assert WebhookDelivery.objects.count() == 4  # none for the inactive endpoint
    changed = WebhookDelivery.objects.get(event_type=events.TICKET_STATUS_CHANGED).payload
    assert (changed["data"]["status"], changed["data"]["previous_status"]) == ("resolved", "new")


def test_sla_warning_and_breach_say_which_target_and_when(endpoint_for, office_hours):  # noqa: F811
    endpoint_for("http://127.0.0.1/sla", [events.TICKET_SLA_WARNING, events.TICKET_SLA_BREACHED])
    ticket = _urgent(at(23, 10))

    sla_alert_process(ticket_id=ticket.pk, now=at(23, 10, 25))
    sla_alert_process(ticket_id=ticket.pk, now=at(23, 10, 30))

    warning, breach = (d.payload for d in WebhookDelivery.objects.order_by("pk"))
    assert (warning["type"], breach["type"]) == (events.TICKET_SLA_WARNING, events.TICKET_SLA_BREACHED)
    assert warning["data"]["target"] == breach["data"]["target"] == "first_response"
    assert warning["data"]["due_at"] == ticket.first_response_due_at.isoformat()
    assert warning["data"]["assignee"] == "Priya Raman"


def test_a_poor_grade_sends_the_answer_and_the_recovery_case_without_the_comment(endpoint_for):
    endpoint_for("http://127.0.0.1/grades", [events.SURVEY_ANSWERED, events.RECOVERY_OPENED])
    ticket = resolved_ticket()
    survey = ticket.surveys.get()

    survey_answer(survey=survey, answers={"grade": "F", "comment": "Nobody cared, my manager is furious"})

    answered, opened = (d.payload for d in WebhookDelivery.objects.order_by("pk"))
    assert answered == {
        "type": "survey.answered",
        "timestamp": answered["timestamp"],
        "data": {
            "survey_id": survey.pk,
            "grade": "F",
            "answered_at": answered["data"]["answered_at"],
            "ticket": {"id": ticket.pk, "reference": ticket.reference},
        },
    }
    case = RecoveryCase.objects.get()
    assert opened["type"] == "recovery.opened"
    assert (opened["data"]["case_id"], opened["data"]["reason"], opened["data"]["grade"]) == (
        case.pk,
        "poor_grade",
        "F",
    )
    assert "furious" not in str(answered) + str(opened)


def test_no_endpoint_no_row(db):
    _urgent(timezone.now())

    assert not WebhookDelivery.objects.exists()


def test_a_failed_attempt_waits_its_backoff_and_the_last_one_dead_letters(
    endpoint_for, manager, settings, receiver
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.answers = [500]
    delivery = services.endpoint_test_send(endpoint=endpoint_for(receiver.url), by=manager)

    waits = []
    for _attempt in range(3):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        started = timezone.now()
        waits.append(services.delivery_deliver(delivery_id=delivery.pk))
        delivery.refresh_from_db()
        if waits[-1] is not None:
            assert started + timedelta(seconds=waits[-1] - 1) <= delivery.next_attempt_at
    assert 15 <= waits[0] <= 30 and 30 <= waits[1] <= 60  # about base * 2**(n-1), with jitter
    assert waits[2] is None and delivery.status == "dead" and len(receiver.requests) == 3
    # Not due: a task that finds it early does nothing.
    assert services.delivery_deliver(delivery_id=delivery.pk) is None


def test_a_slow_endpoint_times_out_and_is_retried(endpoint_for, manager, settings, receiver):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay = 2
    delivery = services.endpoint_test_send(endpoint=endpoint_for(receiver.url), by=manager)

    retry_in = services.delivery_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert retry_in is not None and delivery.status == "pending" and delivery.attempts == 1
    assert "timed out" in delivery.last_error and delivery.last_response_code is None


def test_https_is_verified_against_the_host_name_and_trusted_certificates(
    endpoint_for, manager, https_receiver, certificate, monkeypatch
):
    """The delivery connects to the checked address yet speaks TLS to the name: SNI and the
    certificate's name are `localhost`, and an untrusted certificate is refused."""
    endpoint = endpoint_for(https_receiver.url)
    untrusted = services.endpoint_test_send(endpoint=endpoint, by=manager)

    services.delivery_deliver(delivery_id=untrusted.pk)

    untrusted.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.last_error and https_receiver.requests == []
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # trusted from now on
    trusted = services.endpoint_test_send(endpoint=endpoint, by=manager)

    assert services.delivery_deliver(delivery_id=trusted.pk) is True
    assert len(https_receiver.requests) == 1


def test_an_event_is_written_with_its_change_and_undone_with_it(endpoint_for):
    endpoint_for("http://127.0.0.1/all")

    with pytest.raises(RuntimeError), transaction.atomic():
        _urgent(timezone.now())
        assert WebhookDelivery.objects.count() == 2  # created and assigned, in the same transaction
        raise RuntimeError("the change fails after its events were written")

    assert not WebhookDelivery.objects.exists()


def test_an_event_announced_again_writes_and_publishes_nothing_new(endpoint_for):
    first = endpoint_for("http://127.0.0.1/first", [events.TICKET_CREATED])
    data = {"id": 1}

    assert services.event_publish(event_type=events.TICKET_CREATED, data=data, occasion="ticket-event:1") == 1
    second = endpoint_for("http://127.0.0.1/second", [events.TICKET_CREATED])
    assert services.event_publish(event_type=events.TICKET_CREATED, data=data, occasion="ticket-event:1") == 1
    assert services.event_publish(event_type=events.TICKET_CREATED, data=data, occasion="ticket-event:1") == 0

    rows = list(WebhookDelivery.objects.values_list("endpoint_id", "event_id"))
    assert sorted(endpoint for endpoint, _event in rows) == [first.pk, second.pk]
    assert len({event for _endpoint, event in rows}) == 1
