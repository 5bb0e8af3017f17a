"""The e-mailed link: signed, expiring, single use; opening it never records an answer."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from surveys.exceptions import SurveyAlreadyAnswered
from surveys.models import Survey
from surveys.services import survey_answer, survey_link
from surveys.tokens import TokenExpired, TokenForged, survey_from_token, survey_token_make

from ..accounts.factories import AgentFactory, CustomerFactory
from .factories import resolved_ticket

pytestmark = pytest.mark.django_db


def is_checked(page: str, name: str, value: str) -> bool:
    """Whether the page's radio button `name` = `value` is selected."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return re.search(r"\schecked\b", tag) is not None
    raise AssertionError(f"no radio {name}={value}")


@pytest.fixture
def survey() -> Survey:
    return resolved_ticket().surveys.get()


def test_a_token_opens_its_own_survey(survey):
    assert survey_from_token(survey_token_make(survey)) == survey


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: "x" + token,  # payload changed
        lambda token: "not-a-token",
        lambda token: "",
    ],
)
def test_a_forged_token_is_refused(survey, tamper):
    with pytest.raises(TokenForged):
        survey_from_token(tamper(survey_token_make(survey)))


def test_a_token_signed_for_something_else_is_refused(survey):
    # Same secret, other purpose (salt): must not open a survey.
    other = signing.TimestampSigner(salt="accounts.something-else").sign_object(
        {"s": survey.pk, "n": survey.nonce}
    )
    with pytest.raises(TokenForged):
        survey_from_token(other)


def test_a_token_naming_another_survey_is_refused(survey):
    other = resolved_ticket().surveys.get()
    # A validly signed payload with this survey's nonce but another survey's id.
    token = signing.TimestampSigner(salt="surveys.survey-link").sign_object(
        {"s": other.pk, "n": survey.nonce}
    )
    with pytest.raises(TokenForged):
        survey_from_token(token)


def test_an_old_token_has_expired(survey, settings, monkeypatch):
    settings.SURVEY_ANSWER_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    monkeypatch.setattr("django.core.signing.time.time", lambda: long_ago.timestamp())
    token = survey_token_make(survey)
    monkeypatch.undo()
    with pytest.raises(TokenExpired):
        survey_from_token(token)


def test_opening_the_link_shows_the_survey_and_records_nothing(client, survey):
    # Mail gateways follow links: a GET, even with a grade picked in the e-mail, is not an answer.
    response = client.get(survey_link(survey) + "?grade=F")

    assert response.status_code == 200
    assert is_checked(response.content.decode(), "grade", "F")
    survey.refresh_from_db()
    assert survey.answered_at is None and survey.grade == ""
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_survey_shows_every_grade_with_its_meaning(client, survey):
    page = client.get(survey_link(survey)).content.decode()
    for meaning in (
        "far beyond expectations",
        "exceeded expectations",
        "met expectations, no more",
        "annoyed or upset",
        "annoyed, and with no choice but to put up with it",
    ):
        assert meaning in page
    for question in ("Responsiveness", "Reliability", "Assurance", "Empathy", "Communication"):
        assert question in page
    assert "would you still choose this one" in page


def test_answering_from_the_link_without_logging_in(client, survey):
    response = client.post(
        survey_link(survey),
        {
            "grade": "B",
            "responsiveness": "5",
            "reliability": "4",
            "assurance": "4",
            "empathy": "5",
            "communication": "3",
            "driver": "attitude",
            "would_choose_us": "yes",
            "comment": "Sam was kind.",
        },
    )

    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.grade, survey.responsiveness, survey.communication, survey.driver) == (
        "B",
        5,
        3,
        "attitude",
    )
    assert (survey.would_choose_us, survey.comment, survey.felt_indifference) == (
        "yes",
        "Sam was kind.",
        False,
    )
    assert survey.answered_at is not None
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert b"Thank you" in thanks.content


def test_a_grade_alone_is_enough(client, survey):
    assert client.post(survey_link(survey), {"grade": "C"}).status_code == 302
    survey.refresh_from_db()
    assert survey.grade == "C" and survey.responsiveness is None and survey.driver == ""


def test_no_grade_is_a_clear_error_that_keeps_the_rest(client, survey):
    response = client.post(survey_link(survey), {"comment": "Typed with care", "empathy": "2"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a grade from A to F." in page
    assert "Typed with care" in page
    assert is_checked(page, "empathy", "2")
    survey.refresh_from_db()
    assert survey.answered_at is None


@pytest.mark.parametrize(
    "field,value", [("grade", "E"), ("empathy", "9"), ("driver", "luck"), ("empathy", "0")]
)
def test_answers_outside_the_choices_are_refused(client, survey, field, value):
    data = {"grade": "A", field: value}
    assert client.post(survey_link(survey), data).status_code == 400
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_a_used_link_says_so_and_records_nothing_more(client, survey):
    link = survey_link(survey)
    client.post(link, {"grade": "A", "comment": "first"})

    again = client.post(link, {"grade": "F", "comment": "second"})
    opened = client.get(link)

    assert again.status_code == 409
    assert opened.status_code == 409
    assert b"already graded" in again.content
    survey.refresh_from_db()
    assert (survey.grade, survey.comment) == ("A", "first")


def test_single_use_is_enforced_by_the_database_not_the_page(survey):
    stale = Survey.objects.get(pk=survey.pk)  # loaded before either answer, as two requests would
    survey_answer(survey=survey, answers={"grade": "A"})

    with pytest.raises(SurveyAlreadyAnswered):
        survey_answer(survey=stale, answers={"grade": "F"})
    survey.refresh_from_db()
    assert survey.grade == "A"


def test_a_forged_link_gets_400(client, survey):
    response = client.get(survey_link(survey)[:-5] + "xxxx/")
    assert response.status_code == 400
    assert b"This link does not work" in response.content


def test_an_expired_link_gets_410(client, survey, monkeypatch):
    long_ago = timezone.now() - timedelta(days=400)
    monkeypatch.setattr("django.core.signing.time.time", lambda: long_ago.timestamp())
    link = survey_link(survey)
    monkeypatch.undo()

    response = client.get(link)

    assert response.status_code == 410
    assert b"This survey has closed" in response.content


def test_a_closed_survey_gets_410_even_with_a_fresh_link(client, survey):
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert client.get(survey_link(survey)).status_code == 410
    assert client.post(survey_link(survey), {"grade": "A"}).status_code == 410
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_a_replaced_survey_says_so(client, survey):
    Survey.objects.filter(pk=survey.pk).update(cancelled_at=timezone.now())
    response = client.get(survey_link(survey))
    assert response.status_code == 410
    assert b"replaced" in response.content


@pytest.mark.parametrize("someone_else", [CustomerFactory, AgentFactory])
def test_someone_elses_link_is_refused_when_signed_in_as_another(client, survey, someone_else):
    client.force_login(someone_else())

    assert client.get(survey_link(survey)).status_code == 403
    assert client.post(survey_link(survey), {"grade": "F"}).status_code == 403
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_the_customer_signed_in_can_use_their_own_link(client, survey):
    client.force_login(survey.customer)
    assert client.post(survey_link(survey), {"grade": "A"}).status_code == 302


def test_thanks_page_before_answering_goes_to_the_survey(client, survey):
    link = survey_link(survey)
    response = client.get(link + "thanks/")
    assert response.status_code == 302 and response["Location"] == link


def test_the_link_is_not_cached(client, survey):
    response = client.get(survey_link(survey))
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_the_answer_page_url_does_not_guess(client):
    assert client.get(reverse("surveys:answer_by_token", args=["123"])).status_code == 400
