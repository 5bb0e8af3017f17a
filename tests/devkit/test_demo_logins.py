"""The login page's table of demo accounts comes from devkit, and only while DEMO_LOGINS_VISIBLE is on."""

import pytest
from django.urls import reverse

from devkit.demo.company import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db


def test_login_page_lists_every_demo_account_when_demo_logins_are_visible(client, settings):
    settings.DEMO_LOGINS_VISIBLE = True

    response = client.get(reverse("accounts:login"))

    content = response.content.decode()
    assert "Demo logins" in content
    assert f"<code>{DEMO_PASSWORD}</code>" in content
    for demo in DEMO_USERS:
        assert f"<code>{demo.username}</code>" in content


def test_login_page_has_no_demo_table_when_demo_logins_are_hidden(client, settings):
    settings.DEMO_LOGINS_VISIBLE = False

    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert "Demo logins" not in response.content.decode()
    assert DEMO_PASSWORD not in response.content.decode()


def test_other_pages_get_no_demo_accounts(client, settings):
    settings.DEMO_LOGINS_VISIBLE = True

    response = client.get(reverse("accounts:password_reset"))

    assert response.status_code == 200
    assert "demo_users" not in response.context
    assert DEMO_PASSWORD not in response.content.decode()
