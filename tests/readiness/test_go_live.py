"""A service not yet supported: customers cannot choose it (catalog, portal form, API, e-mail
routing), and a manager's "Go live" is refused with what is missing until the desk is ready."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from readiness import selectors
from tickets import selectors as ticket_selectors
from tickets.models import Priority, SlaPolicy, Ticket

from ..accounts.factories import AgentFactory
from ..api.conftest import ApiClient
from ..tickets.factories import ServiceFactory
from .conftest import publish
from .test_training import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def coming(db):
    return ServiceFactory(name="Meeting room video", slug="meeting-rooms", not_yet_supported=True)


def _sla_for_every_priority() -> None:
    for priority in Priority.values:
        SlaPolicy.objects.create(priority=priority, first_response_minutes=60, resolution_minutes=480)


def test_customers_cannot_choose_it_anywhere(customer_client, customer, coming, settings):
    live = ServiceFactory(name="Laptops")
    settings.INBOUND_SERVICE_SLUG = coming.slug

    assert list(ticket_selectors.service_list_for_catalog()) == [live]
    assert ticket_selectors.service_for_email() == live
    assert coming.name not in customer_client.get(reverse("tickets:catalog")).content.decode()
    request = {"title": "Screen dark", "description": "Room 4", "urgency": "low", "impact": "low"}
    response = customer_client.post(reverse("tickets:submit"), {"service": coming.pk, **request})
    assert response.status_code == 200 and "service" in response.context["form"].errors
    answer = ApiClient(customer).post(reverse("api:tickets"), {"service": coming.pk, **request})
    assert answer.status_code == 400 and "service" in answer.json()["error"]["fields"]
    assert not Ticket.objects.exists()


def test_go_live_is_refused_with_what_is_missing(manager_client, manager, coming):
    response = manager_client.post(reverse("readiness:go_live", args=[coming.pk]), follow=True)

    coming.refresh_from_db()
    assert coming.not_yet_supported
    page = response.content.decode()
    assert "cannot go live yet" in page
    for line in selectors.service_go_live_missing(service=coming):
        assert line in page
    assert selectors.service_go_live_missing(service=coming) == [
        "A published knowledge base article for it.",
        "At least 2 trained agents (now 0).",
        "A default SLA policy for priority " + ", ".join(str(label) for label in Priority.labels) + ".",
    ]
    assert not LogEntry.objects.filter(content_type__model="service").exists()


def test_go_live_succeeds_once_ready_and_is_audited(manager_client, manager, coming, settings):
    settings.READINESS_MIN_TRAINED_AGENTS = 2
    publish(by=manager, services=[coming], title="Start a video call in a meeting room")
    record(AgentFactory(), coming)
    _sla_for_every_priority()
    assert selectors.service_go_live_missing(service=coming) == ["At least 2 trained agents (now 1)."]
    record(AgentFactory(), coming)

    response = manager_client.post(reverse("readiness:go_live", args=[coming.pk]))

    assert response.status_code == 302
    coming.refresh_from_db()
    assert not coming.not_yet_supported
    assert coming in ticket_selectors.service_list_for_catalog()
    entry = LogEntry.objects.get(content_type__model="service", object_id=str(coming.pk))
    assert entry.user == manager and "live" in entry.change_message


def test_the_readiness_page_lists_what_a_coming_service_misses(manager_client, coming):
    html = manager_client.get(reverse("readiness:readiness")).content.decode()

    assert "Not yet supported" in html and "Before it can go live:" in html
    assert "At least 2 trained agents (now 0)." in html
