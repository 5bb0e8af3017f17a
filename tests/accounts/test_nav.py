import re

import pytest
from django.urls import reverse

from .factories import AgentFactory, CustomerFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

OUTBOX = 'href="/admin/notifications/outboundemail/"'
ADMIN = 'href="/admin/"'


def test_customer_nav_has_home_and_account_but_no_staff_links(customer_client):
    page = customer_client.get(reverse("core:home")).content.decode()

    assert 'data-testid="role-badge">Customer<' in page
    assert "Change password" in page
    assert OUTBOX not in page
    assert ADMIN not in page


def test_agent_nav_has_no_manager_links(agent_client):
    page = agent_client.get(reverse("core:home")).content.decode()

    assert 'data-testid="role-badge">Agent<' in page
    assert OUTBOX not in page
    assert ADMIN not in page


def test_manager_nav_reaches_the_outbox_and_administration(manager_client):
    page = manager_client.get(reverse("core:home")).content.decode()

    assert 'data-testid="role-badge">Manager<' in page
    assert OUTBOX in page
    assert ADMIN in page


def test_anonymous_pages_show_no_account_menu(client):
    page = client.get(reverse("accounts:login")).content.decode()

    assert "Log out" not in page
    assert 'href="#main"' in page  # the skip link is on every page


@pytest.mark.parametrize("factory", [CustomerFactory, AgentFactory, ManagerFactory, UserFactory])
def test_every_link_on_the_home_page_opens_for_whoever_sees_it(client, factory):
    client.force_login(factory())
    page = client.get(reverse("core:home")).content.decode()
    links = set(re.findall(r'href="(/(?!static/)[^"#?]*)', page))

    refused = [link for link in sorted(links) if client.get(link).status_code == 403]

    assert reverse("tickets:catalog") in links
    assert refused == []
