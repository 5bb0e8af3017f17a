"""The tickets API: what each side sees, creating, changing, the conversation, and the promises a
client relies on (one error shape, cursor pages, ETag and If-Match, Idempotency-Key, throttling)."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from customers.models import CustomerCategory, CustomerProfile
from tickets.models import Ticket, TicketCC, TicketEvent

from ..accounts.factories import AgentFactory
from ..hostile import HOSTILE_INPUTS
from ..tickets.factories import ServiceFactory, TeamFactory, TicketFactory, TicketMessageFactory
from .conftest import ApiClient, json_keys

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def _ticket_url(ticket) -> str:
    return f"{TICKETS}{ticket.pk}/"


def _submit(service, **extra) -> dict:
    return {
        "service": service.pk,
        "title": "Laptop will not start",
        "description": "It beeps three times.",
        "urgency": "high",
        "impact": "low",
        **extra,
    }


# --- What each side sees ----------------------------------------------------------------------


def test_a_customer_lists_their_own_and_copied_requests_only(customer, api_customer):
    own = TicketFactory(customer=customer)
    copied = TicketFactory()
    TicketCC.objects.create(ticket=copied, user=customer, created_at=timezone.now())
    TicketFactory()  # someone else's

    results = api_customer.get(TICKETS).json()["results"]

    assert {(row["id"], row["copied"]) for row in results} == {(own.pk, False), (copied.pk, True)}


def test_a_customers_category_never_reaches_them(customer, api_customer):
    CustomerProfile.objects.update_or_create(user=customer, defaults={"category": CustomerCategory.VIP})
    ticket = TicketFactory(customer=customer)
    TicketMessageFactory(ticket=ticket)
    created = api_customer.post(TICKETS, _submit(ServiceFactory()))
    answers = [
        created,
        api_customer.get(TICKETS),
        api_customer.get(_ticket_url(ticket)),
        api_customer.get(f"{_ticket_url(ticket)}messages/"),
        api_customer.post(f"{_ticket_url(ticket)}messages/", {"body": "Thanks"}),
        api_customer.get("/api/v1/services/"),
        api_customer.get("/api/v1/notifications/"),
    ]

    assert [answer.status_code for answer in answers] == [201, 200, 200, 200, 201, 200, 200]
    for answer in answers:
        assert not {key for key in json_keys(answer.json()) if "categor" in key}
        assert CustomerCategory.VIP.value not in answer.content.decode()
        assert not {"first_response_due_at", "resolution_due_at", "internal"} & json_keys(answer.json())


def test_staff_see_the_customers_category(agent, api_agent, customer):
    CustomerProfile.objects.update_or_create(user=customer, defaults={"category": CustomerCategory.VIP})
    ticket = TicketFactory(customer=customer)

    assert api_agent.get(_ticket_url(ticket)).json()["customer_category"] == "vip"
    assert api_agent.get(TICKETS).json()["results"][0]["customer_category"] == "vip"


def test_the_queue_takes_the_pages_filters_and_ignores_invalid_ones(api_agent):
    urgent = TicketFactory(priority="p1")
    low = TicketFactory(priority="p4")
    now = timezone.now()
    closed = TicketFactory(priority="p1", status=Ticket.Status.CLOSED, resolved_at=now, closed_at=now)

    def ids(**params) -> set[int]:
        return {row["id"] for row in api_agent.get(TICKETS, params).json()["results"]}

    assert ids() == {urgent.pk, low.pk}  # the open queue, as on the page
    assert ids(priority="p1") == {urgent.pk}
    assert ids(priority="p1", status="all") == {urgent.pk, closed.pk}
    assert ids(priority="nonsense", service="²", assignee="x") == {urgent.pk, low.pk}


def test_a_cursor_that_is_not_ours_is_a_400_naming_it(api_customer):
    answer = api_customer.get(TICKETS, {"cursor": "not-a-cursor"})

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"cursor": ["This cursor is not valid."]}


def test_cursor_pages_give_every_ticket_once(customer, api_customer):
    made = {TicketFactory(customer=customer).pk for _ in range(5)}
    seen, url = [], f"{TICKETS}?page_size=2"

    while url:
        page = api_customer.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    assert sorted(seen) == sorted(made)
    assert len(seen) == 5


@pytest.mark.parametrize("count", [2, 12])
def test_lists_run_the_same_queries_however_many_rows(customer, agent, count, django_assert_num_queries):
    for _ in range(count):
        ticket = TicketFactory(customer=customer, team=TeamFactory(), assignee=AgentFactory())
        TicketMessageFactory(ticket=ticket)
    as_customer, as_agent = ApiClient(customer), ApiClient(agent)
    as_customer.get(TICKETS), as_agent.get(TICKETS)  # the token's first use and permissions, now cached

    # The token, then the page (and for the queue its services and teams, as on the desk's page).
    with django_assert_num_queries(2):
        assert as_customer.get(TICKETS).status_code == 200
    with django_assert_num_queries(4):
        assert as_agent.get(TICKETS).status_code == 200


def test_a_ticket_and_its_conversation_are_read_in_a_fixed_few_queries(
    customer, agent, django_assert_num_queries
):
    ticket = TicketFactory(customer=customer, team=TeamFactory(), assignee=AgentFactory())
    for _ in range(6):
        TicketMessageFactory(ticket=ticket)
    as_customer, as_agent = ApiClient(customer), ApiClient(agent)
    as_customer.get(_ticket_url(ticket)), as_agent.get(_ticket_url(ticket))  # token and permissions cached

    # The token, then the ticket with what it shows, read once (the answer is not read twice);
    # staff's service and team on their own, as the desk's ticket page reads them.
    with django_assert_num_queries(2):
        assert as_customer.get(_ticket_url(ticket)).status_code == 200
    with django_assert_num_queries(4):
        assert as_agent.get(_ticket_url(ticket)).status_code == 200
    # The token, the ticket, the page of messages with their authors, their attachments.
    with django_assert_num_queries(4):
        assert as_customer.get(f"{_ticket_url(ticket)}messages/").status_code == 200


def test_a_ticket_you_may_not_see_is_a_404_with_the_error_shape(api_other_customer, customer):
    ticket = TicketFactory(customer=customer)

    answer = api_other_customer.get(_ticket_url(ticket))

    assert answer.status_code == 404
    assert answer.json() == {"error": {"status": 404, "reason": "Not found, or not yours to see."}}


@pytest.mark.parametrize("path", ["/api/v1/tickets/a\nb/", "/api/v1/tickets/1\n/messages/", "/api/v1/no/"])
def test_an_address_that_is_no_endpoint_is_a_json_404_even_with_a_newline(api_customer, path):
    """Schemathesis sent an id with a newline in it, which <path:> does not match: the site's HTML
    404 came back instead of the API's."""
    answer = api_customer.get(path)

    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert answer.json()["error"]["status"] == 404


# --- Creating ---------------------------------------------------------------------------------


def test_a_customer_submits_a_request_as_the_portal_does(customer, api_customer):
    answer = api_customer.post(TICKETS, _submit(ServiceFactory()))

    assert answer.status_code == 201
    ticket = Ticket.objects.get(pk=answer.json()["id"])
    assert (ticket.customer, ticket.channel, ticket.priority) == (customer, "portal", ticket.priority)
    assert ticket.events.get(kind=TicketEvent.Kind.CREATED).actor == customer
    assert answer["ETag"]


def test_field_errors_are_a_400_naming_each_field(api_customer):
    answer = api_customer.post(TICKETS, {"service": 999999, "title": "", "urgency": "whenever"})

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["status"] == 400
    assert error["reason"] == "Some fields are not valid."
    assert set(error["fields"]) == {"service", "title", "description", "urgency", "impact"}


def test_staff_log_a_request_for_a_customer_with_how_it_came(agent, api_agent, customer):
    answer = api_agent.post(TICKETS, _submit(ServiceFactory(), customer=customer.pk, channel="phone"))

    assert answer.status_code == 201
    ticket = Ticket.objects.get(pk=answer.json()["id"])
    assert (ticket.customer, ticket.channel) == (customer, "phone")
    assert ticket.events.get(kind=TicketEvent.Kind.CREATED).actor == agent


def test_staff_must_say_whom_a_request_is_for(api_agent, agent):
    answer = api_agent.post(TICKETS, _submit(ServiceFactory(), customer=agent.pk, channel="phone"))

    assert answer.status_code == 400
    assert "customer" in answer.json()["error"]["reason"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_text_comes_back_as_typed(api_customer, hostile):
    typed = hostile.replace("\0", "")
    answer = api_customer.post(
        TICKETS, _submit(ServiceFactory(), title=typed[:200] or "x", description=typed or "x")
    )

    assert answer.status_code == 201, answer.content
    shown = api_customer.get(_ticket_url(Ticket.objects.get())).json()
    assert shown["title"] == (typed[:200].strip() or "x")
    assert shown["description"] == (typed.strip() or "x")


def test_a_nul_character_is_a_field_error_not_a_500(api_customer):
    answer = api_customer.post(TICKETS, _submit(ServiceFactory(), title="a\0b"))

    assert answer.status_code == 400
    assert "title" in answer.json()["error"]["fields"]


# --- Idempotency-Key --------------------------------------------------------------------------


def test_a_retried_create_with_the_same_key_makes_one_ticket(api_customer):
    service = ServiceFactory()
    headers = {"Idempotency-Key": "retry-7f3a"}

    first = api_customer.post(TICKETS, _submit(service), headers=headers)
    again = api_customer.post(TICKETS, _submit(service), headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Ticket.objects.count() == 1


def test_a_key_is_each_users_own_and_lasts_a_day(customer, api_customer, api_other_customer):
    from api.models import IdempotencyKey

    service = ServiceFactory()
    headers = {"Idempotency-Key": "same"}
    mine = api_customer.post(TICKETS, _submit(service), headers=headers).json()["id"]
    theirs = api_other_customer.post(TICKETS, _submit(service), headers=headers).json()["id"]
    IdempotencyKey.objects.filter(user=customer).update(created_at=timezone.now() - timedelta(hours=25))
    later = api_customer.post(TICKETS, _submit(service), headers=headers)

    assert mine != theirs
    assert later.status_code == 201
    assert later.json()["id"] not in (mine, theirs)


# --- Changing a ticket ------------------------------------------------------------------------


def test_an_agent_changes_a_ticket_through_the_desks_services(agent, api_agent):
    ticket = TicketFactory()
    other = AgentFactory()

    answer = api_agent.patch(_ticket_url(ticket), {"priority": "p1", "assignee": other.pk, "status": "open"})

    assert answer.status_code == 200, answer.content
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee, ticket.status) == ("p1", other, "open")
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {TicketEvent.Kind.PRIORITY_CHANGED, TicketEvent.Kind.ASSIGNED} <= kinds


def test_an_illegal_move_is_a_409_with_the_reason_and_changes_nothing(api_agent):
    ticket = TicketFactory(priority="p4")

    answer = api_agent.patch(_ticket_url(ticket), {"priority": "p1", "status": "closed"})

    assert answer.status_code == 409
    assert answer.json()["error"] == {"status": 409, "reason": "A new request cannot become closed."}
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status) == ("p4", "new")


def test_invalid_changes_are_field_errors(api_agent):
    ticket = TicketFactory()

    answer = api_agent.patch(_ticket_url(ticket), {"priority": "urgent!", "assignee": 999999, "title": "x"})

    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"title"}
    answer = api_agent.patch(_ticket_url(ticket), {"priority": "urgent!", "assignee": 999999})
    assert set(answer.json()["error"]["fields"]) == {"priority", "assignee"}


def test_a_stale_if_match_is_a_412_and_a_fresh_one_goes_through(api_agent, agent):
    ticket = TicketFactory()
    etag = api_agent.get(_ticket_url(ticket))["ETag"]
    api_agent.patch(_ticket_url(ticket), {"priority": "p2"}, headers={"If-Match": etag})  # another client

    stale = api_agent.patch(_ticket_url(ticket), {"priority": "p1"}, headers={"If-Match": etag})
    fresh_tag = api_agent.get(_ticket_url(ticket))["ETag"]
    fresh = api_agent.patch(_ticket_url(ticket), {"priority": "p1"}, headers={"If-Match": fresh_tag})

    assert stale.status_code == 412
    assert stale.json()["error"]["status"] == 412
    assert fresh.status_code == 200
    assert fresh["ETag"] != fresh_tag
    ticket.refresh_from_db()
    assert ticket.priority == "p1"


def test_a_claimed_ticket_is_a_409_naming_who_has_it(api_agent):
    holder = AgentFactory(first_name="Priya", last_name="Raman")
    ticket = TicketFactory(assignee=holder)

    answer = api_agent.post(f"{_ticket_url(ticket)}claim/")

    assert answer.status_code == 409
    assert answer.json()["error"]["reason"] == "Priya Raman has already taken this ticket."


# --- The conversation -------------------------------------------------------------------------


def test_customers_never_see_internal_notes_and_staff_do(customer, api_customer, api_agent):
    ticket = TicketFactory(customer=customer)
    TicketMessageFactory(ticket=ticket, body="Public")
    TicketMessageFactory(ticket=ticket, author=AgentFactory(), body="Internal", is_internal=True)

    as_customer = api_customer.get(f"{_ticket_url(ticket)}messages/").json()["results"]
    as_agent = api_agent.get(f"{_ticket_url(ticket)}messages/").json()["results"]

    assert [message["body"] for message in as_customer] == ["Public"]
    assert [(message["body"], message["internal"]) for message in as_agent] == [
        ("Public", False),
        ("Internal", True),
    ]


def test_a_customer_cannot_add_an_internal_note(customer, api_customer):
    ticket = TicketFactory(customer=customer)

    answer = api_customer.post(f"{_ticket_url(ticket)}messages/", {"body": "psst", "internal": True})

    assert answer.status_code == 403
    assert answer.json()["error"]["reason"] == "Customers cannot add internal notes."
    assert not ticket.messages.exists()


def test_staff_add_an_internal_note(api_agent):
    ticket = TicketFactory()

    answer = api_agent.post(f"{_ticket_url(ticket)}messages/", {"body": "Checked the logs", "internal": True})

    assert answer.status_code == 201
    assert ticket.messages.get().is_internal


def test_a_reply_to_a_closed_request_is_a_409(customer, api_customer):
    now = timezone.now()
    ticket = TicketFactory(customer=customer, status=Ticket.Status.CLOSED, resolved_at=now, closed_at=now)

    answer = api_customer.post(f"{_ticket_url(ticket)}messages/", {"body": "Hello?"})

    assert answer.status_code == 409
    assert answer.json()["error"]["reason"] == "This request is closed. Please submit a new one."


# --- Sessions, throttling, the schema ----------------------------------------------------------


def test_a_browser_session_works_and_needs_its_csrf_token(customer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    service = ServiceFactory()

    read = browser.get(TICKETS)
    refused = browser.post(TICKETS, json.dumps(_submit(service)), content_type="application/json")
    browser.get("/requests/new/")  # any page with a form sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    sent = browser.post(
        TICKETS, json.dumps(_submit(service)), content_type="application/json", headers={"X-CSRFToken": token}
    )

    assert read.status_code == 200
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["reason"]
    assert sent.status_code == 201


def test_too_many_requests_are_a_429_with_retry_after(settings, customer):
    settings.API_THROTTLE_RATE = "3/min"
    client, other = ApiClient(customer), ApiClient(customer)  # two tokens: each its own allowance

    answers = [client.get("/api/v1/services/") for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    assert answers[-1].json()["error"]["status"] == 429
    assert other.get("/api/v1/services/").status_code == 200


def test_the_schema_documents_every_endpoint_and_the_error_shape(client):
    schema = client.get("/api/v1/schema/", headers={"Accept": "application/json"}).json()

    assert set(schema["paths"]) == {
        "/api/v1/tickets/",
        "/api/v1/tickets/{id}/",
        "/api/v1/tickets/{id}/claim/",
        "/api/v1/tickets/{id}/messages/",
        "/api/v1/tickets/{id}/attachments/",
        "/api/v1/attachments/{id}/",
        "/api/v1/services/",
        "/api/v1/articles/",
        "/api/v1/articles/{id}/",
        "/api/v1/notifications/",
        "/api/v1/customers/",
        "/api/v1/customers/{id}/",
        "/api/v1/me/",
        "/api/v1/surveys/{token}/",
        "/api/v1/surveys/by-id/{id}/",
        "/api/v1/survey-responses/",
        "/api/v1/reports/report-card/",
    }
    assert "Error" in schema["components"]["schemas"]
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_an_account_with_no_role_is_refused_tickets_with_a_reason(db):
    from ..accounts.factories import UserFactory

    client = ApiClient(UserFactory())

    answers = [client.get(TICKETS), client.post(TICKETS, _submit(ServiceFactory()))]

    assert [answer.status_code for answer in answers] == [403, 403]
    assert answers[0].json()["error"]["reason"] == "Your account has no role yet: ask IT to give it one."
    assert client.get("/api/v1/services/").status_code == 200  # the catalog is everyone's, as on the page


def test_a_key_sent_again_with_a_different_request_is_a_422(api_customer):
    service = ServiceFactory()
    headers = {"Idempotency-Key": "once"}

    first = api_customer.post(TICKETS, _submit(service), headers=headers)
    other = api_customer.post(TICKETS, _submit(service, title="Something else"), headers=headers)

    assert first.status_code == 201
    assert other.status_code == 422
    assert "different request" in other.json()["error"]["reason"]
    assert Ticket.objects.count() == 1
