"""Hostile query strings on every page a GET reaches, as a user the page admits: never a 500.

Every query parameter that reaches a query must go through a form or a validated parser; this
sweeps each page with the hostile corpus and the values that break naive parsing (NUL,
superscript digits, huge numbers) in every parameter name the app reads, and the reports'
drill-down's dimension/key pairs. The pages are split by the role that opens them, one test
module each (test_*.py here), so the parallel workers share the sweep."""

from django.test import Client

from accounts.permissions import Access

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..accounts.test_view_access import ROUTES
from ..hostile import HOSTILE_INPUTS

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
# GET pages of ours, minus the ones a GET changes or streams (signing out; a file download). The
# schema's pages are drf-spectacular's and read none of these names (test_schema_pages.py).
PAGES = [
    route
    for route in ROUTES
    if route.name not in ("accounts:logout", "tickets:attachment")
    and not route.view.__module__.startswith("drf_spectacular.")
]


def _client(route) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(ROLE_FOR[route.access]())
    return client


def pages_for(*accesses: Access) -> list:
    return [route for route in PAGES if route.access in accesses]


def query_strings_sweep(route) -> list[tuple[str, str]]:
    """What failed (a 5xx) on `route`: every parameter at once with each hostile value, then, on
    the reports' pages (the only ones that read a dimension, reports/views.py), each dimension with
    each breaking key."""
    client = _client(route)
    failures = []
    for value in HOSTILE_INPUTS + BREAKERS:
        if client.get(route.url, dict.fromkeys(PARAMETERS, value)).status_code >= 500:
            failures.append(("every parameter", value))
    if route.view.__module__ == "reports.views":
        for dim in DIMENSIONS:  # a key is read only with its dimension
            for value in BREAKERS:
                if client.get(route.url, {"dim": dim, "key": value}).status_code >= 500:
                    failures.append((f"dim={dim}&key", value))
    return failures
