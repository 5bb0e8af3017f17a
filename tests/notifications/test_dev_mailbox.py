import re

import pytest
from django.urls import reverse

from ..hostile import HOSTILE_INPUTS
from .factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


def test_dev_mailbox_lists_and_shows_outbox_emails(client):
    message = OutboundEmailFactory(subject="Reset your password")

    listing = client.get(reverse("notifications:dev_mail_list"))
    detail = client.get(message.get_absolute_url())

    assert "Reset your password" in listing.content.decode()
    assert detail.status_code == 200
    assert re.search(r"<iframe[^>]*\ssandbox\s[^>]*srcdoc=", detail.content.decode())


def test_dev_mailbox_is_a_404_outside_local_mode(client, settings):
    settings.DEV_MAILBOX_ENABLED = False
    message = OutboundEmailFactory()

    assert client.get(reverse("notifications:dev_mail_list")).status_code == 404
    assert client.get(message.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_email_content_is_shown_inert(client, hostile):
    stored = hostile.replace("\0", "")  # the outbox never stores NUL (Postgres text cannot)
    message = OutboundEmailFactory(subject=stored[:255], body_text=stored, body_html=stored)

    page = client.get(message.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
    assert "<svg onload" not in page


def test_dev_mailbox_list_runs_one_query_however_many_emails(client, django_assert_num_queries):
    OutboundEmailFactory.create_batch(30)

    with django_assert_num_queries(1):  # the newest outbox rows; an anonymous visitor has no session
        response = client.get(reverse("notifications:dev_mail_list"))

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 31  # header and one row each
