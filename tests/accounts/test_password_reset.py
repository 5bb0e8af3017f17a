import re

import pytest
from django.urls import reverse

from notifications.models import OutboundEmail

from ..hostile import HOSTILE_INPUTS

pytestmark = pytest.mark.django_db


def _reset_link(message: OutboundEmail) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body_text).group(1)


def test_reset_request_writes_one_outbox_email_with_a_working_link(client, customer):
    response = client.post(reverse("accounts:password_reset"), {"email": customer.email.upper()})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    message = OutboundEmail.objects.get()
    assert message.to_address == customer.email
    assert message.template == "accounts/password_reset"
    assert message.subject == "Reset your IT Service Desk password"
    assert _reset_link(message) in message.body_html

    set_password_page = client.get(_reset_link(message), follow=True)
    response = client.post(
        set_password_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("brand-new-secret-77")


def test_reset_link_works_only_once(client, customer):
    client.post(reverse("accounts:password_reset"), {"email": customer.email})
    link = _reset_link(OutboundEmail.objects.get())
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"})

    response = client.get(link, follow=True)

    assert "This link no longer works" in response.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_email(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert not OutboundEmail.objects.exists()


def test_inactive_account_gets_no_email(client, customer):
    customer.is_active = False
    customer.save()

    client.post(reverse("accounts:password_reset"), {"email": customer.email})

    assert not OutboundEmail.objects.exists()


def test_invalid_address_is_refused_next_to_the_field_and_kept(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "not an address"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert 'value="not an address"' in page


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_input_in_reset_form_is_refused_inertly(client, hostile):
    response = client.post(reverse("accounts:password_reset"), {"email": hostile})

    assert response.status_code in (200, 302)
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not OutboundEmail.objects.exists()
