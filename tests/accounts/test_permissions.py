import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from accounts.permissions import Access, agent_required, customer_required, manager_required, public

pytestmark = pytest.mark.django_db

BADGE = "/notifications/badge/"


def test_each_role_decorator_means_the_permission_that_defines_the_role():
    view = lambda request: None  # noqa: E731

    assert customer_required(view).access.permission == "accounts.use_customer_portal"
    assert agent_required(view).access.permission == "accounts.work_ticket_queue"
    assert manager_required(view).access.permission == "accounts.manage_service_desk"
    assert Access.SIGNED_IN.permission is None
    assert Access.PUBLIC.permission is None


def test_public_view_must_say_why():
    with pytest.raises(ValueError):
        public(" ")


def test_expired_session_sends_the_bell_poll_to_log_in_from_the_page_it_was_on(client):
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/requests/7/"}

    answer = client.get(BADGE, headers=headers)

    assert answer.status_code == 200
    assert answer["HX-Redirect"] == redirect_to_login("/requests/7/")["Location"]
    assert "Location" not in answer


def test_htmx_request_from_another_site_goes_to_log_in_without_a_next_page(client):
    headers = {"HX-Request": "true", "HX-Current-URL": "https://elsewhere.example/phish/"}

    answer = client.get(BADGE, headers=headers)

    assert answer["HX-Redirect"] == reverse("accounts:login")


def test_signed_in_htmx_request_without_the_role_gets_a_403(customer_client):
    answer = customer_client.get(reverse("tickets:agent_options"), headers={"HX-Request": "true"})

    assert answer.status_code == 403
    assert "HX-Redirect" not in answer


def test_plain_request_is_redirected_to_log_in_with_its_own_address(client):
    answer = client.get(BADGE)

    assert answer.status_code == 302
    assert answer["Location"] == redirect_to_login(BADGE)["Location"]
