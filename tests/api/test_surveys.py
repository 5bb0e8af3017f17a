"""Surveys through the API: by the link's token (the page's rules: once only, expiry, replaced,
someone else signed in), by id for the customer, through the page's service (so the webhook
fires), comments kept as typed; the managers' responses with the dashboard's filter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Grade, Survey
from surveys.tokens import survey_token_make
from webhooks import events
from webhooks.models import WebhookDelivery

from ..accounts.factories import AgentFactory, CustomerFactory
from ..hostile import HOSTILE_INPUTS
from ..surveys.factories import answered_survey, resolved_ticket
from ..tickets.factories import ServiceFactory
from ..webhooks.conftest import endpoint_for, private_allowed  # noqa: F401 (fixtures)
from .conftest import ApiClient, json_keys

pytestmark = pytest.mark.django_db

RESPONSES = "/api/v1/survey-responses/"


def _by_token(survey: Survey) -> str:
    return f"/api/v1/surveys/{survey_token_make(survey)}/"


def _by_id(survey: Survey) -> str:
    return f"/api/v1/surveys/by-id/{survey.pk}/"


@pytest.fixture
def survey() -> Survey:
    return resolved_ticket(title="Laptop will not start").surveys.get()


# --- By the link's token ----------------------------------------------------------------------


def test_the_link_shows_what_the_page_asks_and_nothing_more(api_anonymous, survey):
    answer = api_anonymous.get(_by_token(survey))

    assert answer.status_code == 200, answer.content
    shown = answer.json()
    assert shown["ticket"] == {
        "id": survey.ticket_id,
        "reference": survey.ticket.reference,
        "title": "Laptop will not start",
    }
    assert (shown["answered"], shown["answered_at"], shown["grade"]) == (False, None, None)
    assert shown["expires_at"] is not None
    grade = next(q for q in shown["questions"] if q["name"] == "grade")
    assert grade["required"] and [c["value"] for c in grade["choices"]] == Grade.values
    assert {q["name"] for q in shown["questions"]} >= {"comment", "driver", "felt_indifference"}
    # Nothing about who the customer is, their category, the agent or the link's secret.
    assert not json_keys(shown) & {"customer", "customer_category", "agent", "nonce", "team", "priority"}
    assert answer["ETag"]


def test_a_link_is_answered_once_then_409(api_anonymous, survey):
    first = api_anonymous.post(_by_token(survey), {"grade": "B", "comment": "Fixed by lunch.", "empathy": 4})
    again = api_anonymous.post(_by_token(survey), {"grade": "F"})

    assert first.status_code == 201, first.content
    assert (first.json()["answered"], first.json()["grade"]) == (True, "B")
    assert again.status_code == 409
    assert again.json()["error"]["reason"] == "This request has already been graded. Thank you."
    survey.refresh_from_db()
    assert (survey.grade, survey.comment, survey.empathy) == ("B", "Fixed by lunch.", 4)
    shown = api_anonymous.get(_by_token(survey)).json()
    assert (shown["answered"], shown["grade"]) == (True, "B")


def test_answering_through_the_api_tells_the_webhooks(api_anonymous, survey, endpoint_for):  # noqa: F811
    endpoint_for("http://127.0.0.1/grades", [events.SURVEY_ANSWERED])

    assert api_anonymous.post(_by_token(survey), {"grade": "A"}).status_code == 201

    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == events.SURVEY_ANSWERED
    assert (delivery.payload["data"]["survey_id"], delivery.payload["data"]["grade"]) == (survey.pk, "A")


def test_a_poor_grade_opens_a_recovery_case_as_on_the_page(api_anonymous, survey):
    assert api_anonymous.post(_by_token(survey), {"grade": "F"}).status_code == 201

    survey.refresh_from_db()
    assert survey.recovery_case.reason == "poor_grade"


def test_a_made_up_token_is_a_404_with_the_pages_reason(api_anonymous, survey):
    answer = api_anonymous.get(_by_token(survey)[:-6] + "xxxx/")

    assert answer.status_code == 404
    assert answer.json()["error"]["reason"].startswith("This link does not work.")


def test_an_expired_token_is_a_410(api_anonymous, survey, monkeypatch):
    long_ago = timezone.now() - timedelta(days=400)
    monkeypatch.setattr("django.core.signing.time.time", lambda: long_ago.timestamp())
    url = _by_token(survey)
    monkeypatch.undo()

    answers = [api_anonymous.get(url), api_anonymous.post(url, {"grade": "A"})]

    assert [answer.status_code for answer in answers] == [410, 410]
    assert answers[0].json()["error"]["reason"].startswith("This survey has closed.")


def test_a_closed_or_replaced_survey_is_a_410_and_records_nothing(api_anonymous, survey):
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    closed = api_anonymous.post(_by_token(survey), {"grade": "A"})
    Survey.objects.filter(pk=survey.pk).update(
        expires_at=timezone.now() + timedelta(days=1), cancelled_at=timezone.now()
    )
    replaced = api_anonymous.get(_by_token(survey))

    assert (closed.status_code, replaced.status_code) == (410, 410)
    assert "replaced" in replaced.json()["error"]["reason"]
    survey.refresh_from_db()
    assert survey.answered_at is None


@pytest.mark.parametrize("someone_else", [CustomerFactory, AgentFactory])
def test_signed_in_as_someone_else_the_link_is_refused(survey, someone_else):
    client = ApiClient(someone_else())

    answers = [client.get(_by_token(survey)), client.post(_by_token(survey), {"grade": "F"})]

    assert [answer.status_code for answer in answers] == [403, 403]
    assert "someone else" in answers[0].json()["error"]["reason"]
    survey.refresh_from_db()
    assert survey.answered_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "grade"), ({"grade": "E"}, "grade"), ({"grade": "A", "empathy": 9}, "empathy"),
     ({"grade": "A", "comment": "x" * 5001}, "comment"), ({"grade": "A", "comment": "a\0b"}, "comment")],
)  # fmt: skip
def test_an_answer_the_page_refuses_is_a_400_naming_the_field(api_anonymous, survey, body, field):
    answer = api_anonymous.post(_by_token(survey), body)

    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    survey.refresh_from_db()
    assert survey.answered_at is None


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_a_hostile_comment_comes_back_as_typed(survey, hostile, api_manager):
    typed = hostile.replace("\0", "")

    answer = ApiClient().post(_by_token(survey), {"grade": "C", "comment": typed})

    assert answer.status_code == 201, answer.content
    survey.refresh_from_db()
    assert survey.comment == typed.strip()  # as the page's form keeps it
    (row,) = api_manager.get(RESPONSES).json()["results"]
    assert row["comment"] == typed.strip()


def test_anonymous_callers_are_throttled_by_address(settings, survey):
    settings.API_THROTTLE_RATE = "3/min"
    client = ApiClient()

    answers = [client.get(_by_token(survey)) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"]


# --- By id, for the signed-in customer ----------------------------------------------------------


def test_a_customer_answers_their_own_survey_by_id_once(survey):
    client = ApiClient(survey.customer)

    shown = client.get(_by_id(survey))
    first = client.post(_by_id(survey), {"grade": "A", "would_choose_us": "yes"})
    again = client.post(_by_id(survey), {"grade": "A"})

    assert shown.status_code == 200 and shown.json()["ticket"]["id"] == survey.ticket_id
    assert (first.status_code, again.status_code) == (201, 409)
    survey.refresh_from_db()
    assert (survey.grade, survey.would_choose_us) == ("A", "yes")


def test_someone_elses_survey_by_id_is_a_404(api_other_customer, survey):
    answers = [
        api_other_customer.get(_by_id(survey)),
        api_other_customer.post(_by_id(survey), {"grade": "F"}),
    ]

    assert [answer.status_code for answer in answers] == [404, 404]


# --- Responses, for managers ------------------------------------------------------------------


def test_responses_list_answered_surveys_with_what_the_page_shows(api_manager):
    printing = ServiceFactory(name="Printing")
    sam = AgentFactory(first_name="Sam", last_name="Lee")
    graded = answered_survey(grade="D", agent=sam, comment="Slow.\nVery slow.", felt_indifference=True)
    Survey.objects.filter(pk=graded.pk).update(service=printing)
    resolved_ticket()  # not answered: not listed

    answer = api_manager.get(RESPONSES)

    assert answer.status_code == 200
    (row,) = answer.json()["results"]
    assert row["id"] == graded.pk
    assert row["ticket"] == {
        "id": graded.ticket_id,
        "reference": graded.ticket.reference,
        "title": graded.ticket.title,
    }
    assert (row["grade"], row["comment"], row["indifference"]) == ("D", "Slow.\nVery slow.", True)
    assert row["agent"] == {"id": sam.pk, "name": "Sam Lee"}
    assert row["service"]["name"] == "Printing"
    assert row["customer"]["id"] == graded.customer_id
    assert row["answered_at"] and row["resolved_at"]


def test_responses_take_the_dashboards_filter_and_a_grade(api_manager):
    printing = ServiceFactory(name="Printing")
    on_printing = [answered_survey(grade=grade) for grade in "AF"]
    Survey.objects.filter(pk__in=[s.pk for s in on_printing]).update(service=printing)
    answered_survey(grade="A")

    by_service = api_manager.get(RESPONSES, {"scope": f"service:{printing.pk}"}).json()["results"]
    graded_a = api_manager.get(RESPONSES, {"scope": f"service:{printing.pk}", "grade": "A"}).json()["results"]

    assert {row["id"] for row in by_service} == {s.pk for s in on_printing}
    assert [row["id"] for row in graded_a] == [on_printing[0].pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"period": "12"}, "period"), ({"scope": "service:999999"}, "scope"), ({"grade": "E"}, "grade"),
     ({"grade": ""}, "grade"), ({"period": "custom", "first": "2026-01-01"}, "last"), ({"last": ""}, "last")],
)  # fmt: skip
def test_a_filter_that_is_not_valid_is_a_400_naming_it(api_manager, query, field):
    answer = api_manager.get(RESPONSES, query)

    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]


@pytest.mark.parametrize("count", [2, 10])
def test_responses_run_the_same_few_queries_however_many_rows(manager, count, django_assert_num_queries):
    for n in range(count):
        answered_survey(grade="ABCDF"[n % 5], comment="Fine.")
    client = ApiClient(manager)
    client.get(RESPONSES)  # the token's first use and permissions, now cached

    # The token, the filter's teams and services (as on the page), then the page of surveys.
    with django_assert_num_queries(4):
        assert len(client.get(RESPONSES).json()["results"]) == count


def test_agents_and_customers_may_not_read_responses(api_agent, api_customer):
    answered_survey(grade="A")

    for client in (api_agent, api_customer):
        answer = client.get(RESPONSES)
        assert answer.status_code == 403
        assert answer.json()["error"]["reason"] == "Only managers can do this."
