"""The branded error pages (what everyone sees with DJANGO_DEBUG off), and the two addresses that
used to end on one: a customer's link opened by an agent, a staff account's customer page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from ..accounts.factories import AgentFactory, ManagerFactory
from ..tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_a_customer_refused_the_desk_sees_the_branded_403_with_a_way_home(customer_client):
    answer = customer_client.get(reverse("tickets:queue"))

    assert answer.status_code == 403
    page = answer.content.decode()
    assert "This page is not for your account" in page
    assert f'href="{reverse("core:home")}"' in page
    assert 'aria-label="Main"' in page  # the site's own header, not Django's bare page


def test_an_unknown_address_is_the_branded_404_with_sign_in_for_visitors(client):
    answer = client.get("/no-such-page/")

    assert answer.status_code == 404
    page = answer.content.decode()
    assert "We could not find that page" in page
    assert f'href="{reverse("accounts:login")}"' in page


def test_the_400_and_500_pages_are_branded_and_lead_home():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    bad = defaults.bad_request(request, Exception("bad"))
    broken = defaults.server_error(request)

    assert bad.status_code == 400 and "That request could not be understood" in bad.content.decode()
    assert broken.status_code == 500
    assert "Something went wrong on our side" in broken.content.decode()
    assert 'href="/"' in broken.content.decode()


def test_an_agent_opening_a_customer_link_lands_on_the_desk_ticket():
    ticket = TicketFactory()
    for staff in (AgentFactory(), ManagerFactory()):
        client = Client()
        client.force_login(staff)

        answer = client.get(reverse("tickets:detail", kwargs={"pk": ticket.pk}))

        assert answer.status_code == 302
        assert answer["Location"] == reverse("tickets:agent_detail", kwargs={"pk": ticket.pk})


def test_a_customer_still_opens_their_own_request(customer_client, customer):
    ticket = TicketFactory(customer=customer)

    assert customer_client.get(reverse("tickets:detail", kwargs={"pk": ticket.pk})).status_code == 200


def test_the_customer_page_of_a_staff_account_is_a_404(manager_client):
    agent = AgentFactory()

    answer = manager_client.get(reverse("customers:detail", kwargs={"user_id": agent.pk}))

    assert answer.status_code == 404


def test_the_customer_page_of_staff_who_asked_it_before_opens(manager_client):
    agent = AgentFactory()
    TicketFactory(customer=agent)

    answer = manager_client.get(reverse("customers:detail", kwargs={"user_id": agent.pk}))

    assert answer.status_code == 200
