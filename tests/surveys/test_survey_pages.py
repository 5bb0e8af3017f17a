"""The survey from the portal, and who on the desk sees the grades."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.rollups import rollups_refresh
from surveys.models import Survey
from surveys.services import survey_link

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..hostile import HOSTILE_INPUTS
from .factories import answered_survey, resolved_ticket

pytestmark = pytest.mark.django_db


def test_the_request_page_offers_the_survey_once_resolved(customer_client, customer):
    ticket = resolved_ticket(customer=customer)
    survey = ticket.surveys.get()

    page = customer_client.get(ticket.get_absolute_url()).content.decode()

    assert "Grade this request" in page
    assert reverse("surveys:answer", args=[survey.pk]) in page


def test_the_customer_answers_from_the_portal_and_sees_their_grade(customer_client, customer):
    ticket = resolved_ticket(customer=customer)
    survey = ticket.surveys.get()
    url = reverse("surveys:answer", args=[survey.pk])

    assert customer_client.get(url).status_code == 200
    response = customer_client.post(url, {"grade": "A", "comment": "Quick and kind"})

    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    page = customer_client.get(ticket.get_absolute_url()).content.decode()
    assert "You graded this request" in page and "Grade this request" not in page
    assert customer_client.get(url).status_code == 200  # their own answer, read back
    assert customer_client.post(url, {"grade": "F"}).status_code == 409
    survey.refresh_from_db()
    assert survey.grade == "A"


def test_the_home_page_lists_requests_waiting_for_a_grade(customer_client, customer):
    ticket = resolved_ticket(customer=customer)
    page = customer_client.get(reverse("core:home")).content.decode()
    assert f"Grade {ticket.reference}" in page


def test_another_customers_survey_is_not_found(customer_client):
    survey = resolved_ticket(customer=CustomerFactory()).surveys.get()
    url = reverse("surveys:answer", args=[survey.pk])
    assert customer_client.get(url).status_code == 404
    assert customer_client.post(url, {"grade": "F"}).status_code == 404


def test_staff_have_no_portal_survey(agent_client, client):
    survey = resolved_ticket().surveys.get()
    url = reverse("surveys:answer", args=[survey.pk])
    assert agent_client.get(url).status_code == 403
    assert client.get(url).status_code == 302  # anonymous: log in first


def test_the_agent_who_resolved_it_sees_the_grade_on_the_ticket(client):
    agent = AgentFactory()
    survey = answered_survey(grade="D", agent=agent, comment="Nobody called back", driver="communication")
    url = reverse("tickets:agent_detail", args=[survey.ticket_id])

    client.force_login(agent)
    page = client.get(url).content.decode()
    assert "Customer&#x27;s grade" in page or "Customer's grade" in page
    assert "Nobody called back" in page and "communication" in page

    client.force_login(AgentFactory())
    assert "Nobody called back" not in client.get(url).content.decode()  # not theirs

    client.force_login(ManagerFactory())
    assert "Nobody called back" in client.get(url).content.decode()


MY_CARD = reverse("reports:agent_card_mine")


def test_my_report_card_lists_only_my_own_grades_under_my_card(client):
    me = AgentFactory()
    answered_survey(grade="A", agent=me, comment="Brilliant")
    answered_survey(grade="C", agent=me)
    answered_survey(grade="F", agent=AgentFactory(), comment="Someone else's F")
    rollups_refresh()
    client.force_login(me)

    page = client.get(MY_CARD).content.decode()

    assert "Brilliant" in page and "Someone else" not in page
    assert "3.00" in page  # GPA of A and C


def test_my_grades_is_folded_into_my_report_card(agent_client, customer_client, client):
    answer = agent_client.get(reverse("surveys:grades_mine"))

    assert answer.status_code == 301 and answer["Location"] == MY_CARD
    assert customer_client.get(reverse("surveys:grades_mine")).status_code == 403
    assert client.get(reverse("surveys:grades_mine")).status_code == 302
    assert "My grades" not in agent_client.get(MY_CARD).content.decode()


def test_my_report_card_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    me = AgentFactory()
    client.force_login(me)
    answered_survey(agent=me)
    rollups_refresh()
    with django_assert_max_num_queries(30) as few:
        response = client.get(MY_CARD)
    assert response.status_code == 200
    assert len(response.context["grades_page"].object_list) == 1
    for _ in range(15):
        answered_survey(agent=me)
    rollups_refresh()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MY_CARD)
    assert response.status_code == 200
    assert len(response.context["grades_page"].object_list) == 16


def test_the_desk_ticket_page_adds_one_query_for_grades(agent_client, agent, django_assert_max_num_queries):
    survey = answered_survey(agent=agent)
    with django_assert_max_num_queries(30) as counted:
        response = agent_client.get(reverse("tickets:agent_detail", args=[survey.ticket_id]))
    assert response.status_code == 200
    assert sum("surveys_survey" in q["sql"] for q in counted.captured_queries) == 1


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_comments_are_kept_and_shown_inert(client, hostile):
    agent = AgentFactory()
    survey = resolved_ticket(agent=agent).surveys.get()

    response = client.post(survey_link(survey), {"grade": "C", "comment": hostile})

    survey.refresh_from_db()
    if "\0" in hostile:
        # A NUL cannot be stored: a clear error at the field, and the rest of the form kept.
        assert response.status_code == 400
        assert "Null characters are not allowed." in response.content.decode()
        assert survey.answered_at is None
        return
    assert response.status_code == 302
    assert survey.comment == hostile.strip()
    client.force_login(agent)
    for url in (reverse("tickets:agent_detail", args=[survey.ticket_id]), MY_CARD):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert not re.search(r"<img src=x onerror", page)


def test_the_survey_withdrawn_is_not_offered(customer_client, customer):
    ticket = resolved_ticket(customer=customer)
    Survey.objects.filter(ticket=ticket).update(cancelled_at=timezone.now())
    assert "Grade this request" not in customer_client.get(ticket.get_absolute_url()).content.decode()
