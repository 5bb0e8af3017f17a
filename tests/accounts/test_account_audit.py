import logging
import re

import pytest
from django.urls import reverse

from accounts.models import AccountEvent
from accounts.roles import Role
from accounts.services import user_create
from notifications.models import OutboundEmail

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _kinds(user) -> list[str]:
    return list(user.account_events.order_by("pk").values_list("kind", flat=True))


def test_creating_a_user_is_audited_with_who_did_it(manager):
    user = user_create(
        username="newbie", email="newbie@example.com", role=Role.CUSTOMER, password="x" * 12, by=manager
    )

    event = user.account_events.get()
    assert event.kind == AccountEvent.Kind.CREATED
    assert event.actor == manager


def test_login_and_logout_are_audited_with_the_address(client, customer):
    client.post(reverse("accounts:login"), {"username": customer.username, "password": PASSWORD})
    client.post(reverse("accounts:logout"))

    assert _kinds(customer) == ["logged_in", "logged_out"]
    assert customer.account_events.first().ip_address == "127.0.0.1"


def test_failed_login_is_logged_safely_and_stores_nothing(client, customer, caplog):
    with caplog.at_level(logging.WARNING, logger="servicedesk.security"):
        client.post(reverse("accounts:login"), {"username": "eve\nFAKE LOG LINE", "password": "x"})

    assert "Failed login for 'eve\\nFAKE LOG LINE' from 127.0.0.1" in caplog.text
    assert not AccountEvent.objects.exists()


def test_password_change_is_audited(customer_client, customer):
    customer_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-one-42",
            "new_password2": "a-much-better-one-42",
        },
    )

    event = customer.account_events.get(kind=AccountEvent.Kind.PASSWORD_CHANGED)
    assert event.actor == customer


def test_password_reset_request_and_completion_are_audited(client, customer):
    client.post(reverse("accounts:password_reset"), {"email": customer.email})
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/\S+/)", OutboundEmail.objects.get().body_text
    ).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"})

    assert _kinds(customer) == ["password_reset_requested", "password_reset_completed"]
    assert customer.account_events.last().actor is None


def test_audit_trail_is_read_only_even_for_superusers(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    event = admin.account_events.get()

    assert client.get(reverse("admin:accounts_accountevent_changelist")).status_code == 200
    assert client.post(reverse("admin:accounts_accountevent_delete", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_accountevent_add")).status_code == 403


def test_managers_do_not_read_the_account_audit_trail(manager_client):
    assert manager_client.get(reverse("admin:accounts_accountevent_changelist")).status_code == 403
