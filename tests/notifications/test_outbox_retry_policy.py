import pytest

from notifications.models import OutboundEmail
from notifications.services import outbound_email_deliver

from .factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


def test_each_failed_attempt_waits_about_twice_as_long(mail_server_down, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 4
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    message = OutboundEmailFactory()

    waits = [outbound_email_deliver(message_id=message.pk) for _ in range(3)]

    assert 15 <= waits[0] <= 30
    assert 30 <= waits[1] <= 60
    assert 60 <= waits[2] <= 120
    message.refresh_from_db()
    assert message.attempts == 3
    assert message.status == OutboundEmail.Status.PENDING


def test_backoff_never_exceeds_the_cap(mail_server_down, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 50
    message = OutboundEmailFactory(attempts=30)

    wait = outbound_email_deliver(message_id=message.pk)

    assert wait <= settings.OUTBOX_RETRY_MAX_SECONDS


def test_last_attempt_makes_a_dead_letter_and_stops(mail_server_down, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = OutboundEmailFactory(attempts=1)

    assert outbound_email_deliver(message_id=message.pk) is None

    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.DEAD
    assert outbound_email_deliver(message_id=message.pk) is None
    message.refresh_from_db()
    assert message.attempts == 2


def test_sent_or_missing_messages_are_left_alone(mailoutbox):
    message = OutboundEmailFactory()

    assert outbound_email_deliver(message_id=message.pk) is None
    assert outbound_email_deliver(message_id=message.pk) is None
    assert outbound_email_deliver(message_id=999_999) is None

    assert len(mailoutbox) == 1
