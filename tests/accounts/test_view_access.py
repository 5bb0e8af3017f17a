"""Every URL's view says who may open it (accounts/permissions.py), and answers each role so.

The admin is left out: it has Django's own staff checks.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.views import redirect_to_login
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

from accounts.permissions import Access

from .factories import AgentFactory, CustomerFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

USERS = {
    "customer": CustomerFactory,
    "agent": AgentFactory,
    "manager": ManagerFactory,
    "no role": UserFactory,
}
# Whom each requirement lets in, written out rather than read from the decorators it checks.
ADMITTED = {
    Access.SIGNED_IN: {"customer", "agent", "manager", "no role"},
    Access.CUSTOMER: {"customer"},
    Access.AGENT: {"agent", "manager"},
    Access.MANAGER: {"manager"},
}


@dataclass(frozen=True)
class Route:
    name: str
    view: Callable
    kwargs: dict

    @property
    def access(self) -> Access | None:
        return getattr(self.view, "access", None)

    @property
    def url(self) -> str:
        return reverse(self.name, kwargs=self.kwargs)


def _dummy(converter) -> object:
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x"  # str, slug, path


def _walk(patterns, namespace: str = "", converters: dict | None = None) -> Iterator[Route]:
    converters = converters or {}
    for pattern in patterns:
        found = {**converters, **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern.url_patterns, inner, found)
        elif isinstance(pattern, URLPattern):
            name = ":".join(filter(None, [namespace, pattern.name or str(pattern.pattern)]))
            yield Route(name, pattern.callback, {key: _dummy(value) for key, value in found.items()})


ROUTES = list(_walk(get_resolver("servicedesk.urls").url_patterns))
PUBLIC = [route for route in ROUTES if route.access is Access.PUBLIC]
# The REST API answers a visitor without credentials 401 (not a redirect to the login page) and
# may admit each method differently: tests/api/test_matrix.py checks its every endpoint and method.
SIGNED_IN = [route for route in ROUTES if route.access in ADMITTED and not route.name.startswith("api:")]
# A customer's link that has a desk counterpart sends staff there (tests/core/test_error_pages.py).
SENT_TO_THE_DESK = {("tickets:detail", "agent"), ("tickets:detail", "manager")}
REFUSED = [
    (route, user)
    for route in SIGNED_IN
    for user in USERS
    if user not in ADMITTED[route.access] and (route.name, user) not in SENT_TO_THE_DESK
]
ADMITTED_PAIRS = [(route, user) for route in SIGNED_IN for user in USERS if user in ADMITTED[route.access]]


def _ids(route: Route) -> str:
    return route.name


def _pair_ids(value: Route | str) -> str:
    return value.name if isinstance(value, Route) else value


def _client(user_kind: str) -> Client:
    client = Client()
    client.force_login(USERS[user_kind]())
    return client


def test_every_view_says_who_may_open_it():
    unmarked = [route.name for route in ROUTES if route.access is None]

    assert unmarked == [], "views with no access decorator from accounts.permissions"
    assert len(ROUTES) > 50  # the walk found the apps' URLs, not just the first include


@pytest.mark.parametrize("route", SIGNED_IN, ids=_ids)
def test_anonymous_visitor_is_sent_to_log_in(client, route):
    login = redirect_to_login(route.url)["Location"]

    answers = [client.get(route.url), client.post(route.url)]

    assert [(answer.status_code, answer["Location"]) for answer in answers] == [(302, login)] * 2


@pytest.mark.parametrize("route", SIGNED_IN, ids=_ids)
def test_anonymous_htmx_request_sends_the_page_to_log_in(client, route):
    page = "/desk/?view=mine"

    answer = client.get(
        route.url, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
    )

    assert answer.status_code == 200
    assert answer["HX-Redirect"] == redirect_to_login(page)["Location"]
    assert answer.content == b""


@pytest.mark.parametrize(("route", "user"), REFUSED, ids=_pair_ids)
def test_user_without_the_role_is_refused(route, user):
    client = _client(user)

    answers = [client.get(route.url), client.post(route.url)]

    # Refused before the method is looked at: a POST-only view answers a GET with 403, not 405.
    assert [answer.status_code for answer in answers] == [403, 403]


@pytest.mark.parametrize(("route", "user"), ADMITTED_PAIRS, ids=_pair_ids)
def test_user_with_the_role_gets_past_the_check(route, user):
    client = _client(user)

    answer = client.get(route.url)

    # Past the check, a dummy id may well be a 404, and a POST-only view a 405.
    assert answer.status_code != 403
    assert not answer.get("Location", "").startswith(reverse("accounts:login"))


@pytest.mark.parametrize("route", PUBLIC, ids=_ids)
def test_public_view_opens_without_signing_in(client, route):
    answer = client.get(route.url)

    assert answer.status_code != 403
    assert answer.get("Location") != redirect_to_login(route.url)["Location"]
    assert route.view.public_reason


# Pages whose role is easy to get wrong, written out: the walk above checks each answers its role.
EXPECTED_ACCESS = {
    "readiness:standards": Access.AGENT,
    "readiness:acknowledge": Access.AGENT,
    "readiness:training": Access.AGENT,
    "readiness:training_add": Access.AGENT,
    "readiness:training_reread": Access.AGENT,
    "readiness:readiness": Access.MANAGER,
    "readiness:go_live": Access.MANAGER,
}


@pytest.mark.parametrize(("name", "access"), EXPECTED_ACCESS.items())
def test_these_pages_are_in_the_matrix_with_their_role(name, access):
    assert {route.name: route.access for route in ROUTES}.get(name) == access
