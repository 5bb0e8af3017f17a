import pytest
from django.urls import reverse

from ..hostile import HOSTILE_INPUTS
from .factories import PASSWORD, AgentFactory, CustomerFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME_HEADINGS = {
    CustomerFactory: "How can IT help you today?",
    AgentFactory: "Agent desk",
    ManagerFactory: "Service overview",
}


@pytest.mark.parametrize("factory", list(HOME_HEADINGS))
def test_each_role_logs_in_and_lands_on_its_own_home(client, factory):
    user = factory()

    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("core:home"), 302)]
    assert HOME_HEADINGS[factory] in response.content.decode()


def test_login_accepts_email_in_any_case(client, customer):
    response = client.post(
        reverse("accounts:login"), {"username": customer.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_wrong_password_is_refused_and_keeps_the_username(client, customer):
    response = client.post(reverse("accounts:login"), {"username": customer.username, "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username or e-mail and password" in response.content.decode()
    assert f'value="{customer.username}"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_email_is_refused_like_a_wrong_password(client):
    response = client.post(reverse("accounts:login"), {"username": "nobody@example.com", "password": "x"})

    assert response.status_code == 200
    assert "Please enter a correct username or e-mail and password" in response.content.decode()


def test_login_page_redirects_someone_already_logged_in(customer_client):
    response = customer_client.get(reverse("accounts:login"))

    assert response.status_code == 302


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("core:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_logout_needs_post_and_ends_the_session(customer_client):
    assert customer_client.get(reverse("accounts:logout")).status_code == 405

    response = customer_client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert customer_client.get(reverse("core:home")).status_code == 302


def test_account_without_a_role_is_told_whom_to_ask(client):
    client.force_login(UserFactory())

    response = client.get(reverse("core:home"))

    assert "Your account has no role yet" in response.content.decode()


def test_password_change_requires_login_and_works(client, customer_client, customer):
    assert client.get(reverse("accounts:password_change")).status_code == 302

    response = customer_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-one-42",
            "new_password2": "a-much-better-one-42",
        },
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("a-much-better-one-42")


def test_password_change_errors_sit_next_to_the_field(customer_client):
    response = customer_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "different"},
    )

    assert response.status_code == 200
    assert 'id="error_1_id_new_password2"' in response.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_username_is_refused_and_shown_back_inert(client, hostile):
    response = client.post(reverse("accounts:login"), {"username": hostile, "password": "x"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
    assert "_auth_user_id" not in client.session
