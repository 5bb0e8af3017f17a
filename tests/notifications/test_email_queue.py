import pytest
from django.db import transaction

from notifications.models import OutboundEmail
from notifications.services import email_queue

from ..hostile import HOSTILE_INPUTS

pytestmark = pytest.mark.django_db


def _queue(key: str = "greeting:1", name: str = "Alice") -> OutboundEmail:
    return email_queue(key=key, to="alice@example.com", template="tests/greeting", context={"name": name})


def test_email_is_written_rendered_from_its_three_templates():
    message = _queue()

    assert message.status == OutboundEmail.Status.PENDING
    assert message.subject == "Hello Alice"
    assert message.body_text == "Hello Alice, this is IT Service Desk.\n"
    assert message.body_html == "<p>Hello Alice, this is IT Service Desk.</p>\n"
    assert message.enqueued_at is None


def test_delivery_is_published_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _queue()

        assert OutboundEmail.objects.count() == 1

    assert len(callbacks) == 1


def test_the_same_key_twice_writes_one_row_and_publishes_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = _queue()
        second = _queue(name="Someone else")

    assert first.pk == second.pk
    assert OutboundEmail.objects.get().subject == "Hello Alice"
    assert len(callbacks) == 1


def test_nothing_is_written_or_published_when_the_change_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                _queue()
                raise RuntimeError("the change that caused the e-mail failed")
        except RuntimeError:
            pass

    assert not OutboundEmail.objects.exists()
    assert callbacks == []


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_text_is_escaped_in_html_and_cannot_add_headers(hostile):
    message = _queue(name=hostile)

    assert "\n" not in message.subject and "\r" not in message.subject
    assert "<script" not in message.body_html
    assert "<img" not in message.body_html
    assert "<svg" not in message.body_html
    assert message.body_text.startswith("Hello ")
