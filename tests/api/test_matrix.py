"""Every API endpoint × method × role, read from the URL patterns under /api/v1/ and checked
against the table below: an endpoint (or a method of one) with no expectation here fails.

Each cell runs on its own fresh data: a ticket of `customer`'s, on which `copied` is copied,
with a public reply (and its file) and an internal note; `other` is a customer with nothing to
do with it.
"""

from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.permissions import Access
from surveys.tokens import survey_token_make
from tickets.models import Attachment, TicketCC

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..knowledge.factories import ArticleFactory
from ..surveys.factories import resolved_ticket
from ..tickets.factories import ServiceFactory, TicketFactory, TicketMessageFactory
from .conftest import ApiClient

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer", "copied", "other", "agent", "manager"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

# What each role gets from each endpoint's methods, written out (not read from the views).
ALL_SIGNED_IN = {"anonymous": 401, "customer": 200, "copied": 200, "other": 200, "agent": 200, "manager": 200}
STAFF_ONLY = {"anonymous": 401, "customer": 403, "copied": 403, "other": 403, "agent": 200, "manager": 200}
# Someone else's survey is a 404 to a customer; staff are no customers.
CUSTOMERS_ONLY = {
    "anonymous": 401,
    "customer": 404,
    "copied": 404,
    "other": 404,
    "agent": 403,
    "manager": 403,
}
MANAGERS_ONLY = {**dict.fromkeys(ROLES, 403), "anonymous": 401, "manager": 200}
EXPECTED = {
    ("api:tickets", "GET"): ALL_SIGNED_IN,
    ("api:tickets", "POST"): {
        "anonymous": 401,
        "customer": 201,
        "copied": 201,
        "other": 201,
        "agent": 201,
        "manager": 201,
    },
    ("api:ticket", "GET"): {**ALL_SIGNED_IN, "other": 404},
    ("api:ticket", "PATCH"): {
        "anonymous": 401,
        "customer": 403,
        "copied": 403,
        "other": 403,
        "agent": 200,
        "manager": 200,
    },
    ("api:ticket_claim", "POST"): {
        "anonymous": 401,
        "customer": 403,
        "copied": 403,
        "other": 403,
        "agent": 200,
        "manager": 200,
    },
    ("api:ticket_messages", "GET"): {**ALL_SIGNED_IN, "other": 404},
    ("api:ticket_messages", "POST"): {
        "anonymous": 401,
        "customer": 201,
        "copied": 201,
        "other": 404,
        "agent": 201,
        "manager": 201,
    },
    ("api:ticket_attachments", "GET"): {**ALL_SIGNED_IN, "other": 404},
    ("api:attachment", "GET"): {**ALL_SIGNED_IN, "other": 404},
    ("api:customers", "GET"): STAFF_ONLY,
    ("api:customer", "GET"): STAFF_ONLY,
    ("api:customer", "PATCH"): STAFF_ONLY,
    ("api:me", "GET"): ALL_SIGNED_IN,
    ("api:services", "GET"): ALL_SIGNED_IN,
    # A published article for everyone; the audience rules: tests/api/test_articles.py.
    ("api:articles", "GET"): ALL_SIGNED_IN,
    ("api:article", "GET"): ALL_SIGNED_IN,
    # The survey link: no credentials needed; signed in as anyone but its customer, refused.
    ("api:survey_by_token", "GET"): {**dict.fromkeys(ROLES, 403), "anonymous": 200, "customer": 200},
    ("api:survey_by_token", "POST"): {**dict.fromkeys(ROLES, 403), "anonymous": 201, "customer": 201},
    ("api:survey", "GET"): {**CUSTOMERS_ONLY, "customer": 200},
    ("api:survey", "POST"): {**CUSTOMERS_ONLY, "customer": 201},
    ("api:survey_responses", "GET"): MANAGERS_ONLY,
    ("api:report_card", "GET"): MANAGERS_ONLY,
    ("api:notifications", "GET"): ALL_SIGNED_IN,
    ("api:schema", "GET"): {**ALL_SIGNED_IN, "anonymous": 200},
    ("api:docs", "GET"): {**ALL_SIGNED_IN, "anonymous": 200},
    # Any other address: a 404 in the API's error shape, whoever asks.
    **{("api:not_found", method): dict.fromkeys(ROLES, 404) for method in METHODS},
}


def _routes(patterns, namespace: str = "") -> Iterator[tuple[str, object]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and namespace == "api":
            yield f"api:{pattern.name}", pattern.callback


ROUTES = dict(_routes(get_resolver("servicedesk.urls").url_patterns))


def _methods(view) -> set[str]:
    """The methods a view answers (a DRF view's handlers; drf-spectacular's views answer GET)."""
    cls = getattr(view, "cls", None)
    return {method.upper() for method in cls.http_method_names if hasattr(cls, method)} & set(METHODS)


def _expected(name: str, method: str, role: str) -> int:
    if (name, method) in EXPECTED:
        return EXPECTED[name, method][role]
    # A method the endpoint does not have: refused as the endpoint refuses the role, else 405.
    access = ROUTES[name].access
    if access is not Access.PUBLIC and role == "anonymous":
        return 401
    if access is Access.AGENT and role not in ("agent", "manager"):
        return 403
    if access is Access.CUSTOMER and role in ("agent", "manager"):
        return 403
    if access is Access.MANAGER and role not in ("anonymous", "manager"):
        return 403
    return 405


CELLS = [(name, method, role) for name in ROUTES for method in METHODS for role in ROLES]


def test_every_endpoint_and_method_has_an_expectation():
    listed = {(name, method) for name, view in ROUTES.items() for method in _methods(view)}

    assert listed - set(EXPECTED) == set(), "endpoints' methods with no expected answers"
    assert set(EXPECTED) - listed == set(), "expectations for methods no endpoint has"
    assert len(ROUTES) >= 8  # the walk found the API, not nothing


@pytest.fixture
def world():
    customer, copied, other = CustomerFactory(), CustomerFactory(), CustomerFactory()
    service = ServiceFactory()
    ticket = TicketFactory(customer=customer, service=service)
    TicketCC.objects.create(ticket=ticket, user=copied, created_at=timezone.now())
    reply = TicketMessageFactory(ticket=ticket, body="Public reply")
    Attachment.objects.create(
        ticket=ticket,
        message=reply,
        uploaded_by=customer,
        file=SimpleUploadedFile("photo.png", b"png"),
        original_name="photo.png",
        content_type="image/png",
        size=3,
        created_at=timezone.now(),
    )
    TicketMessageFactory(ticket=ticket, author=AgentFactory(), body="Internal note", is_internal=True)
    users = {
        "customer": customer,
        "copied": copied,
        "other": other,
        "agent": AgentFactory(),
        "manager": ManagerFactory(),
    }
    survey = resolved_ticket(customer=customer).surveys.get()
    return {
        "article": ArticleFactory(),
        "ticket": ticket,
        "attachment": reply.attachments.get(),
        "service": service,
        "customer": customer,
        "users": users,
        "survey": survey,
    }


def _body(name: str, method: str, role: str, world) -> dict:
    if name == "api:tickets" and method == "POST":
        body = {
            "service": world["service"].pk,
            "title": "Printer jams",
            "description": "Every page.",
            "urgency": "medium",
            "impact": "low",
        }
        if role in ("agent", "manager"):
            body |= {"customer": world["customer"].pk, "channel": "phone"}
        return body
    if name == "api:ticket" and method == "PATCH":
        return {"priority": "p1"}
    if name == "api:customer" and method == "PATCH":
        return {"phone": "+44 20 7946 0000"}
    if name in ("api:survey_by_token", "api:survey") and method == "POST":
        return {"grade": "B", "comment": "Quick, thanks."}
    if name == "api:ticket_messages" and method == "POST":
        return {"body": "Any news?"}
    return {}


@pytest.mark.parametrize(("name", "method", "role"), CELLS, ids=["-".join(cell) for cell in CELLS])
def test_cell(world, name, method, role):
    user = world["users"].get(role)
    client = ApiClient(user)
    url = reverse(name, kwargs=_kwargs(name, world))

    answer = client.request(method, url, _body(name, method, role, world))

    assert answer.status_code == _expected(name, method, role), answer.content[:300]
    if answer.status_code >= 400 and answer["Content-Type"] == "application/json":
        error = answer.json()["error"]
        assert error["status"] == answer.status_code
        assert error["reason"]


def _kwargs(name: str, world) -> dict:
    if name == "api:not_found":
        return {"rest": "no-such-thing/"}
    if name == "api:attachment":
        return {"pk": world["attachment"].pk}
    if name == "api:customer":
        return {"pk": world["customer"].pk}
    if name == "api:survey_by_token":
        return {"token": survey_token_make(world["survey"])}
    if name == "api:survey":
        return {"pk": world["survey"].pk}
    if name == "api:article":
        return {"pk": world["article"].pk}
    return {"pk": world["ticket"].pk} if name.startswith("api:ticket") and name != "api:tickets" else {}
