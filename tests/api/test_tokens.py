"""Personal API tokens: made, seen once, used, expired, revoked, audited, and hashed at rest."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import AccountEvent
from api import services
from api.models import ApiToken

from ..accounts.factories import AgentFactory, CustomerFactory
from ..hostile import HOSTILE_INPUTS
from .conftest import ApiClient

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/services/"
MY_TOKENS = reverse("api_tokens:list")
ALL_TOKENS = reverse("api_tokens:all")


def _reason(answer) -> str:
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == 'Bearer realm="api"'
    return answer.json()["error"]["reason"]


def test_only_the_hash_is_kept(customer):
    new = services.api_token_create(user=customer, name="Monitoring")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert new.secret not in stored
    assert new.secret.startswith(new.token.prefix)
    assert new.token.key_hash == services.token_hash(new.secret)


def test_a_token_works_with_either_scheme_and_notes_its_use_once_a_minute(customer):
    new = services.api_token_create(user=customer, name="Intranet")
    client = ApiClient(token=new.secret)

    assert client.get(SERVICES).status_code == 200
    first_use = ApiToken.objects.get().last_used_at
    assert client.get(SERVICES, headers={"Authorization": f"Token {new.secret}"}).status_code == 200
    assert ApiToken.objects.get().last_used_at == first_use  # no write within the minute
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get(SERVICES)
    assert ApiToken.objects.get().last_used_at > first_use


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"revoked_at": timezone.now()}, "This token was revoked."),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "This token has expired."),
    ],
)
def test_a_revoked_or_expired_token_is_a_401_saying_which(customer, change, reason):
    new = services.api_token_create(user=customer, name="Old", expires_days=30)
    ApiToken.objects.update(**change)

    assert _reason(ApiClient(token=new.secret).get(SERVICES)) == reason


def test_a_disabled_accounts_token_is_a_401(customer):
    new = services.api_token_create(user=customer, name="Leaver")
    customer.is_active = False
    customer.save()

    assert _reason(ApiClient(token=new.secret).get(SERVICES)) == "This token's account is disabled."


@pytest.mark.parametrize("token", ["nonsense", "sd_" + "A" * 43, "two words"])
def test_an_unknown_token_is_a_401(db, token):
    assert _reason(ApiClient(token=token).get(SERVICES)) in (
        "This token is not valid.",
        "Give the token after the scheme: “Bearer <token>”.",
    )


def test_no_credentials_is_a_401_asking_for_them(db):
    assert _reason(ApiClient().get(SERVICES)) == "Authentication credentials were not provided."


def test_an_expiring_token_expires_after_its_days(customer):
    new = services.api_token_create(user=customer, name="Short", expires_days=7)

    assert new.token.expires_at - new.token.created_at == timedelta(days=7)


# --- The pages --------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_works(customer, customer_client):
    made = customer_client.post(MY_TOKENS, {"name": "My laptop", "expires_days": "30"})
    shown = customer_client.get(made["Location"])
    secret = shown.context["new"]["secret"]
    later = customer_client.get(MY_TOKENS)  # a reload: nothing made again, nothing shown again

    assert (made.status_code, made["Location"]) == (302, MY_TOKENS)
    assert secret in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert secret not in later.content.decode()
    assert ApiToken.objects.count() == 1
    assert "My laptop" in later.content.decode()
    assert ApiToken.objects.get().prefix in later.content.decode()
    assert ApiClient(token=secret).get(SERVICES).status_code == 200
    assert AccountEvent.objects.filter(user=customer, kind=AccountEvent.Kind.API_TOKEN_CREATED).count() == 1


def test_a_token_needs_a_name(customer_client):
    answer = customer_client.post(MY_TOKENS, {"name": "", "expires_days": "0"})

    assert answer.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_a_hostile_token_name_is_shown_as_typed(customer_client, hostile):
    typed = hostile.replace("\0", "")[:100].strip() or "x"

    made = customer_client.post(MY_TOKENS, {"name": typed})
    page = customer_client.get(MY_TOKENS).content.decode()

    assert made.status_code == 302
    assert ApiToken.objects.get().name == typed
    assert escape(typed) in page
    if "<" in typed:
        assert typed not in page


def test_you_revoke_your_own_token_and_not_someone_elses(customer, customer_client):
    mine = services.api_token_create(user=customer, name="Mine")
    theirs = services.api_token_create(user=CustomerFactory(), name="Theirs")

    revoked = customer_client.post(reverse("api_tokens:revoke", args=[mine.token.pk]))
    refused = customer_client.post(reverse("api_tokens:revoke", args=[theirs.token.pk]))

    assert revoked.status_code == 302
    assert refused.status_code == 404
    assert _reason(ApiClient(token=mine.secret).get(SERVICES)) == "This token was revoked."
    assert ApiClient(token=theirs.secret).get(SERVICES).status_code == 200
    assert AccountEvent.objects.get(kind=AccountEvent.Kind.API_TOKEN_REVOKED).actor == customer


def test_managers_see_and_revoke_everyones_tokens(manager, manager_client):
    agent = AgentFactory(first_name="Sam", last_name="Okafor")
    new = services.api_token_create(user=agent, name="Chat bot")

    page = manager_client.get(ALL_TOKENS)
    revoked = manager_client.post(reverse("api_tokens:revoke_any", args=[new.token.pk]))

    assert "Sam Okafor" in page.content.decode()
    assert "Chat bot" in page.content.decode()
    assert revoked.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.API_TOKEN_REVOKED)
    assert (event.user, event.actor) == (agent, manager)


@pytest.mark.parametrize("count", [2, 20])
def test_the_managers_list_runs_constant_queries(manager_client, count, django_assert_num_queries):
    for _ in range(count):
        services.api_token_create(user=CustomerFactory(), name="Token")
    manager_client.get(ALL_TOKENS)  # permissions into the cache

    # the user (the session is cached), the desk banner's standards still to read, the count, the page
    with django_assert_num_queries(4):
        assert manager_client.get(ALL_TOKENS).status_code == 200


# --- The command ------------------------------------------------------------------------------


def test_the_command_prints_a_working_token(customer):
    out = StringIO()

    call_command("api_token_create", "--user", customer.username, "--expires-days", "5", stdout=out)

    secret = out.getvalue().strip()
    assert ApiClient(token=secret).get(SERVICES).status_code == 200
    token = ApiToken.objects.get()
    assert (token.user, token.expires_at - token.created_at) == (customer, timedelta(days=5))


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user is called"):
        call_command("api_token_create", "--user", "nobody")
