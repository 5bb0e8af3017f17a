"""Failed sign-ins are throttled per account at an address and per address (django-axes), without
letting anyone elsewhere lock an account's owner out; reset e-mails are limited per address."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountEvent
from notifications.models import OutboundEmail

from ..hostile import HOSTILE_INPUTS
from .factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins. Try again in 15 minutes"


def _login(client: Client, username: str, password: str, address: str = "203.0.113.5"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_the_account_at_that_address_even_with_the_right_one(client, manager):
    for _ in range(4):
        assert _login(client, manager.username, "wrong").status_code == 200
    assert _login(client, manager.username, "wrong").status_code == 429  # the fifth locks

    response = _login(client, manager.username, PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert f'value="{manager.username}"' in page  # what they typed is kept
    assert "_auth_user_id" not in client.session


def test_the_username_and_its_email_address_count_as_one_account(client, manager):
    for typed in [manager.username, manager.email.upper()] * 2 + [manager.email]:
        _login(client, typed, "wrong")

    assert _login(client, manager.username, PASSWORD).status_code == 429


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(client, manager):
    for _ in range(30):
        _login(client, manager.username, "wrong", address="198.51.100.66")

    response = _login(Client(), manager.username, PASSWORD, address="203.0.113.5")

    assert response.status_code == 302
    assert _login(Client(), manager.username, PASSWORD, address="198.51.100.66").status_code == 429


def test_many_accounts_tried_from_one_address_lock_the_address(client, customer):
    for n in range(20):
        _login(client, f"guess{n}", "wrong")

    assert _login(Client(), customer.username, PASSWORD).status_code == 429
    assert _login(Client(), customer.username, PASSWORD, address="192.0.2.9").status_code == 302


def test_the_lockout_ends_after_fifteen_minutes_however_often_it_is_retried(client, manager):
    for _ in range(12):  # seven of them while locked out: they do not extend it
        _login(client, manager.username, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert _login(client, manager.username, PASSWORD).status_code == 302


def _links_queued(user) -> int:
    return AccountEvent.objects.filter(user=user, kind=AccountEvent.Kind.PASSWORD_RESET_REQUESTED).count()


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_usernames_are_counted_and_shown_inert(client, hostile):
    typed = hostile.replace("\0", "")[:254]
    for _ in range(6):
        response = _login(client, typed, "wrong")

    assert response.status_code in (200, 429)
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page


def test_reset_emails_are_limited_per_address_with_the_same_answer(client, customer):
    for _ in range(6):
        response = client.post(reverse("accounts:password_reset"), {"email": customer.email})
        assert response.status_code == 302
        assert response.url == reverse("accounts:password_reset_done")

    # Requests within one second share a token, hence an e-mail: count the links queued.
    assert _links_queued(customer) == 3
    assert OutboundEmail.objects.filter(to_address=customer.email).count() <= 3


def test_reset_emails_come_again_an_hour_later(client, customer):
    for _ in range(3):
        client.post(reverse("accounts:password_reset"), {"email": customer.email})
    AccountEvent.objects.update(created_at=timezone.now() - timedelta(minutes=61))

    client.post(reverse("accounts:password_reset"), {"email": customer.email})

    assert _links_queued(customer) == 4
