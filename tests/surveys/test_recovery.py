"""Service recovery: a D, an F or indifference opens a case a manager works to its outcome."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, OutboundEmail
from surveys.exceptions import SurveyError
from surveys.models import RecoveryCase, RecoveryEvent
from surveys.services import (
    indifference_flag,
    recovery_case_close,
    recovery_contact_record,
    survey_answer,
    survey_link,
)

from ..accounts.factories import ManagerFactory
from ..hostile import HOSTILE_INPUTS
from .factories import answered_survey, resolved_ticket

pytestmark = pytest.mark.django_db


def answer(grade: str, **answers):
    survey = resolved_ticket().surveys.get()
    return survey_answer(survey=survey, answers={"grade": grade, **answers})


@pytest.mark.parametrize("grade", ["D", "F"])
def test_a_d_or_f_opens_a_case_and_tells_every_manager(grade):
    managers = ManagerFactory.create_batch(2)

    survey = answer(grade, comment="Nobody cared")

    case = RecoveryCase.objects.get(survey=survey)
    assert (case.reason, case.status) == ("poor_grade", "open")
    emails = OutboundEmail.objects.filter(template="surveys/recovery_opened")
    assert sorted(emails.values_list("to_address", flat=True)) == sorted(m.email for m in managers)
    body = emails.first().body_text
    assert survey.customer.display_name in body and "Nobody cared" in body
    assert case.get_absolute_url() in body
    assert RecoveryEvent.objects.filter(case=case, kind="opened").count() == 1


@pytest.mark.parametrize("grade", ["A", "B", "C"])
def test_other_grades_open_nothing(grade):
    ManagerFactory()
    answer(grade)
    assert not RecoveryCase.objects.exists()
    assert not OutboundEmail.objects.filter(template="surveys/recovery_opened").exists()


def test_indifference_ticked_by_the_customer_opens_a_case_even_with_a_c():
    survey = answer("C", felt_indifference=True)
    assert RecoveryCase.objects.get(survey=survey).reason == "indifference"


def test_a_manager_flags_indifference_in_a_comment(manager_client, manager):
    survey = answered_survey(grade="B", comment="Fixed, but he sighed and rolled his eyes")

    response = manager_client.post(reverse("surveys:indifference_flag", args=[survey.pk]))

    case = RecoveryCase.objects.get(survey=survey)
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    survey.refresh_from_db()
    assert survey.indifference_flagged_by == manager and survey.indifference
    assert case.reason == "indifference"
    # Flagging twice opens nothing more.
    manager_client.post(reverse("surveys:indifference_flag", args=[survey.pk]))
    assert RecoveryCase.objects.count() == 1


def test_agents_cannot_flag(agent_client):
    survey = answered_survey(comment="meh")
    assert agent_client.post(reverse("surveys:indifference_flag", args=[survey.pk])).status_code == 403
    assert not RecoveryCase.objects.exists()


def test_an_unanswered_survey_cannot_be_flagged(manager):
    survey = resolved_ticket().surveys.get()
    with pytest.raises(SurveyError):
        indifference_flag(survey=survey, by=manager)


def test_a_manager_works_a_case_to_its_outcome(manager_client, manager):
    case = answer("F", comment="Three days without a word").recovery_case
    url = case.get_absolute_url()

    assert "Three days without a word" in manager_client.get(url).content.decode()
    manager_client.post(reverse("surveys:recovery_take", args=[case.pk]))
    response = manager_client.post(
        reverse("surveys:recovery_contact", args=[case.pk]),
        {"channel": "phone", "notes": "Apologised; explained the delay; offered a loan laptop."},
    )
    assert response.status_code == 302
    response = manager_client.post(
        reverse("surveys:recovery_close", args=[case.pk]),
        {"outcome": "recovered", "notes": "Team briefed on keeping customers informed."},
    )
    assert response.status_code == 302

    case.refresh_from_db()
    assert (case.status, case.owner, case.contact_channel, case.outcome) == (
        "closed",
        manager,
        "phone",
        "recovered",
    )
    assert case.contacted_at is not None and case.closed_at is not None
    kinds = list(case.events.values_list("kind", "actor"))
    assert kinds == [
        ("opened", None),
        ("taken", manager.pk),
        ("contacted", manager.pk),
        ("closed", manager.pk),
    ]
    # Every manager's "needs a call" notice is done once the case is closed.
    notices = Notification.objects.filter(key__startswith=f"recovery-opened:{case.pk}:")
    assert notices.exists()
    assert {(n.done_at, n.read_at is not None) for n in notices} == {(case.closed_at, True)}


def test_closing_before_contact_is_refused_with_a_reason(manager_client):
    case = answer("D").recovery_case
    response = manager_client.post(
        reverse("surveys:recovery_close", args=[case.pk]), {"outcome": "recovered", "notes": "Typed"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Record the contact with the customer before closing the case." in page
    assert "Typed" in page
    case.refresh_from_db()
    assert case.status == "open"


def test_a_contact_needs_what_was_said_and_cannot_be_in_the_future(manager_client):
    case = answer("D").recovery_case
    url = reverse("surveys:recovery_contact", args=[case.pk])
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    missing = manager_client.post(url, {"channel": "phone", "notes": ""})
    future = manager_client.post(url, {"channel": "phone", "notes": "Called", "contacted_at": tomorrow})

    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    assert future.status_code == 400 and "cannot be in the future" in future.content.decode()


def test_a_closed_case_can_be_reopened_with_a_reason(manager_client, manager):
    case = answer("F").recovery_case
    recovery_contact_record(case=case, by=manager, channel="email", notes="Wrote")
    recovery_case_close(case=case, by=manager, outcome="not_recovered", notes="")

    response = manager_client.post(
        reverse("surveys:recovery_reopen", args=[case.pk]), {"reason": "They called back"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_at) == ("contacted", "", None)
    assert case.events.last().note == "They called back"


def test_the_queue_shows_unclosed_cases_oldest_first(manager_client, manager):
    first = answer("F", comment="first").recovery_case
    second = answer("D", comment="second").recovery_case
    closed = answer("D").recovery_case
    recovery_contact_record(case=closed, by=manager, channel="phone", notes="ok")
    recovery_case_close(case=closed, by=manager, outcome="recovered", notes="")

    page = manager_client.get(reverse("surveys:recovery_queue")).content.decode()
    assert page.index(first.get_absolute_url()) < page.index(second.get_absolute_url())
    assert closed.get_absolute_url() not in page

    closed_page = manager_client.get(reverse("surveys:recovery_queue") + "?status=closed").content.decode()
    assert closed.get_absolute_url() in closed_page and first.get_absolute_url() not in closed_page


def test_the_queue_filters_to_my_cases(manager_client, manager):
    mine = answer("F").recovery_case
    theirs = answer("F").recovery_case
    recovery_contact_record(case=mine, by=manager, channel="phone", notes="ok")
    recovery_contact_record(case=theirs, by=ManagerFactory(), channel="phone", notes="ok")

    page = manager_client.get(reverse("surveys:recovery_queue") + "?mine=on").content.decode()
    assert mine.get_absolute_url() in page and theirs.get_absolute_url() not in page


def test_recovery_is_for_managers_only(agent_client, customer_client, client):
    case = answer("F").recovery_case
    for url in (reverse("surveys:recovery_queue"), case.get_absolute_url()):
        assert agent_client.get(url).status_code == 403
        assert customer_client.get(url).status_code == 403
        assert client.get(url).status_code == 302
    for name in ("recovery_take", "recovery_contact", "recovery_close", "recovery_reopen"):
        assert agent_client.post(reverse(f"surveys:{name}", args=[case.pk])).status_code == 403
    assert manager_client_get_404()


def manager_client_get_404() -> bool:
    from django.test import Client

    client = Client()
    client.force_login(ManagerFactory())
    return client.get(reverse("surveys:recovery_detail", args=[999999])).status_code == 404


def test_the_queue_runs_a_constant_number_of_queries(manager_client, django_assert_max_num_queries):
    answer("F")
    with django_assert_max_num_queries(10) as few:
        response = manager_client.get(reverse("surveys:recovery_queue"))
    assert response.status_code == 200
    assert len(response.context["cases"]) == 1
    for _ in range(12):
        answer("D")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(reverse("surveys:recovery_queue"))
    assert response.status_code == 200
    assert len(response.context["cases"]) == 13


def test_the_managers_home_counts_open_cases(manager_client):
    answer("F")
    page = manager_client.get(reverse("core:home")).content.decode()
    assert "1 service recovery case" in page


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_recovery_notes_are_kept_and_shown_inert(manager_client, hostile):
    case = answer("F").recovery_case
    typed = hostile.replace("\0", "")
    manager_client.post(
        reverse("surveys:recovery_contact", args=[case.pk]), {"channel": "phone", "notes": typed}
    )
    manager_client.post(
        reverse("surveys:recovery_close", args=[case.pk]), {"outcome": "partly", "notes": typed}
    )

    case.refresh_from_db()
    assert case.contact_notes == typed.strip() and case.outcome_notes == typed.strip()
    page = manager_client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert not re.search(r"<img src=x onerror", page)


def test_answering_from_the_link_with_an_f_opens_the_case(client):
    ManagerFactory()
    survey = resolved_ticket().surveys.get()
    client.post(survey_link(survey), {"grade": "F", "comment": "Awful"})
    assert RecoveryCase.objects.filter(survey=survey).exists()
    thanks = client.get(survey_link(survey) + "thanks/").content.decode()
    assert "An IT manager will get in touch" in thanks


def test_the_admin_lists_surveys_and_cases_read_only(manager_client):
    case = answer("F").recovery_case
    assert manager_client.get(reverse("admin:surveys_survey_changelist")).status_code == 200
    assert manager_client.get(reverse("admin:surveys_recoverycase_changelist")).status_code == 200
    change = manager_client.post(
        reverse("admin:surveys_recoverycase_change", args=[case.pk]), {"status": "closed"}
    )
    case.refresh_from_db()
    assert case.status == "open" and change.status_code in (200, 403)
