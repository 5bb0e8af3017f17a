import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail

from .factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_outboundemail_changelist")


def _dead_letter() -> OutboundEmail:
    return OutboundEmailFactory(
        status=OutboundEmail.Status.DEAD, attempts=6, dead_at=timezone.now(), last_error="SMTPException: 550"
    )


def test_manager_sees_dead_letters_with_their_error(manager_client):
    dead = _dead_letter()

    response = manager_client.get(CHANGELIST, {"status__exact": "dead"})

    assert response.status_code == 200
    assert dead.subject in response.content.decode()


def test_manager_retries_a_dead_letter_and_it_is_audited(
    manager_client, manager, django_capture_on_commit_callbacks
):
    dead = _dead_letter()

    with django_capture_on_commit_callbacks() as callbacks:
        response = manager_client.post(
            CHANGELIST, {"action": "retry_delivery", "_selected_action": [dead.pk]}, follow=True
        )

    assert response.status_code == 200
    assert "1 e-mail queued for delivery." in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == OutboundEmail.Status.PENDING
    assert dead.attempts == 0
    assert dead.dead_at is None
    assert len(callbacks) == 1
    entry = LogEntry.objects.get(object_id=str(dead.pk))
    assert entry.user == manager
    assert entry.change_message == "Retried delivery from the admin."


def test_retry_leaves_sent_email_alone(manager_client):
    sent = OutboundEmailFactory(status=OutboundEmail.Status.SENT, sent_at=timezone.now(), attempts=1)

    response = manager_client.post(
        CHANGELIST, {"action": "retry_delivery", "_selected_action": [sent.pk]}, follow=True
    )

    assert "1 already sent, left alone." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == OutboundEmail.Status.SENT


def test_outbox_rows_cannot_be_added_or_deleted_in_the_admin(manager_client):
    message = OutboundEmailFactory()

    assert manager_client.get(reverse("admin:notifications_outboundemail_add")).status_code == 403
    assert (
        manager_client.get(reverse("admin:notifications_outboundemail_delete", args=[message.pk])).status_code
        == 403
    )


@pytest.mark.parametrize("client_fixture", ["agent_client", "customer_client", "client"])
def test_only_managers_reach_the_outbox(request, client_fixture):
    client = request.getfixturevalue(client_fixture)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_manager_sees_when_a_waiting_email_is_tried_next(manager_client):
    waiting = OutboundEmailFactory(
        next_attempt_at=timezone.now(), last_error="Mail server unavailable: ConnectionRefusedError"
    )

    response = manager_client.get(CHANGELIST, {"status__exact": "pending"})

    assert "Next attempt" in response.content.decode()
    assert waiting.subject in response.content.decode()
    detail = manager_client.get(reverse("admin:notifications_outboundemail_change", args=[waiting.pk]))
    assert "Mail server unavailable: ConnectionRefusedError" in detail.content.decode()
