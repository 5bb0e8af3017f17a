import re

import pytest
from django.urls import reverse

from ..hostile import HOSTILE_INPUTS
from .factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


def test_dev_mailbox_lists_and_shows_outbox_emails(manager_client):
    message = OutboundEmailFactory(subject="Reset your password")

    listing = manager_client.get(reverse("notifications:dev_mail_list"))
    detail = manager_client.get(message.get_absolute_url())

    assert "Reset your password" in listing.content.decode()
    assert detail.status_code == 200
    assert re.search(r"<iframe[^>]*\ssandbox\s[^>]*srcdoc=", detail.content.decode())


def test_dev_mailbox_is_a_404_outside_local_mode(manager_client, settings):
    settings.DEV_MAILBOX_ENABLED = False
    message = OutboundEmailFactory()

    assert manager_client.get(reverse("notifications:dev_mail_list")).status_code == 404
    assert manager_client.get(message.get_absolute_url()).status_code == 404


def test_dev_mailbox_sends_anonymous_visitors_to_log_in(client):
    message = OutboundEmailFactory(subject="Reset your password")

    for url in (reverse("notifications:dev_mail_list"), message.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert "Reset your password" not in response.content.decode()


def test_dev_mailbox_is_closed_to_agents_and_customers(agent_client, customer_client):
    message = OutboundEmailFactory(subject="Repeat offender? Ben Hartley")

    for signed_in in (agent_client, customer_client):
        assert signed_in.get(reverse("notifications:dev_mail_list")).status_code == 403
        assert signed_in.get(message.get_absolute_url()).status_code == 403


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_email_content_is_shown_inert(manager_client, hostile):
    stored = hostile.replace("\0", "")  # the outbox never stores NUL (Postgres text cannot)
    message = OutboundEmailFactory(subject=stored[:255], body_text=stored, body_html=stored)

    page = manager_client.get(message.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
    assert "<svg onload" not in page


def test_dev_mailbox_list_runs_constant_queries_however_many_emails(
    manager_client, django_assert_num_queries
):
    OutboundEmailFactory.create_batch(30)
    # The session and the manager's permissions are cached from now on.
    manager_client.get(reverse("notifications:dev_mail_list"))

    with django_assert_num_queries(2):  # the manager, the newest outbox rows
        response = manager_client.get(reverse("notifications:dev_mail_list"))

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 31  # header and one row each
