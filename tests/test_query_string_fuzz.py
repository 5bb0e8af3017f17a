"""Hostile query strings on every page a GET reaches, as a user the page admits: never a 500.

Every query parameter that reaches a query must go through a form or a validated parser; this
sweeps each page with the hostile corpus and the values that break naive parsing (NUL,
superscript digits, huge numbers) in every parameter name the app reads, and the drill-down's
dimension/key pairs."""

import pytest
from django.test import Client

from accounts.permissions import Access

from .accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from .accounts.test_view_access import ROUTES
from .hostile import HOSTILE_INPUTS

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "q", "page", "panel", "service", "status", "priority", "assignee", "team", "category", "sla",
    "due_within_hours", "sort", "view", "period", "first", "last", "scope", "dim", "key", "grade",
    "measure", "mine", "selected", "empty", "next", "urgency", "impact", "table", "via",
]  # fmt: skip
BREAKERS = ["\0", "²", "١٢", "-1", "9" * 40, "1e309", "", " ", "%", "nan"]
DIMENSIONS = ["agent", "team", "service", "category", "priority"]
ROLE_FOR = {
    Access.PUBLIC: CustomerFactory,
    Access.SIGNED_IN: CustomerFactory,
    Access.CUSTOMER: CustomerFactory,
    Access.AGENT: AgentFactory,
    Access.MANAGER: ManagerFactory,
}
# GET pages, minus the ones a GET changes or streams (signing out; a file download).
PAGES = [route for route in ROUTES if route.name not in ("accounts:logout", "tickets:attachment")]


def _client(route) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(ROLE_FOR[route.access]())
    return client


@pytest.mark.parametrize("route", PAGES, ids=lambda route: route.name)
def test_no_query_string_makes_a_page_fail(route):
    client = _client(route)
    failures = []

    for value in HOSTILE_INPUTS + BREAKERS:
        if client.get(route.url, dict.fromkeys(PARAMETERS, value)).status_code >= 500:
            failures.append(("every parameter", value))
    for dim in DIMENSIONS:  # a key is read only with its dimension
        for value in BREAKERS:
            if client.get(route.url, {"dim": dim, "key": value}).status_code >= 500:
                failures.append((f"dim={dim}&key", value))

    assert failures == []
