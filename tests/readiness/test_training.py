"""Training records: agents record their own, managers anyone's; errors beside the fields with
what was typed kept; typed text stored as typed and shown escaped; the list in constant queries."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from readiness.models import TrainingRecord
from readiness.services import TrainingFields, training_record_create

from ..accounts.factories import AgentFactory
from ..hostile import HOSTILE_INPUTS
from .conftest import publish

pytestmark = pytest.mark.django_db

ADD = reverse("readiness:training_add")
LIST = reverse("readiness:training")
# Postgres cannot store NUL: the form refuses it (tested below).
TYPABLE = [text for text in HOSTILE_INPUTS if "\0" not in text]


def _post(service, **changes) -> dict:
    return {"service": service.pk, "completed_on": timezone.localdate().isoformat(), **changes}


def record(agent, service, *, article=None, by=None) -> TrainingRecord:
    return training_record_create(
        fields=TrainingFields(
            agent=agent,
            service=service,
            article=article,
            trained_by=None,
            completed_on=timezone.localdate(),
            check_question="",
            check_answer="",
            check_passed=None,
            note="",
        ),
        by=by or agent,
    )


def test_an_agent_records_their_own_training_from_an_articles_current_version(
    agent_client, agent, manager, service
):
    article = publish(by=manager, services=[service])
    colleague = AgentFactory()

    response = agent_client.post(
        ADD,
        _post(
            service,
            article=article.pk,
            trained_by=manager.pk,
            agent=colleague.pk,  # not theirs to choose: ignored
            check_question="How do you reset MFA?",
            check_answer="From the admin portal, after the identity checks.",
            check_passed="true",
        ),
    )

    assert response.status_code == 302
    saved = TrainingRecord.objects.get()
    assert (saved.agent, saved.service, saved.article, saved.article_version_number) == (
        agent,
        service,
        article,
        1,
    )
    assert (saved.trained_by, saved.recorded_by, saved.check_passed) == (manager, agent, True)
    entry = LogEntry.objects.get(content_type__model="trainingrecord", object_id=str(saved.pk))
    assert entry.user == agent and "recorded" in entry.change_message


def test_a_manager_records_training_for_another_agent(manager_client, manager, service):
    colleague = AgentFactory()

    response = manager_client.post(ADD, _post(service, agent=colleague.pk))

    assert response.status_code == 302
    saved = TrainingRecord.objects.get()
    assert (saved.agent, saved.recorded_by, saved.check_passed) == (colleague, manager, None)


def test_errors_show_beside_their_fields_and_keep_what_was_typed(agent_client, service):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = agent_client.post(
        ADD,
        _post(service, completed_on=tomorrow.isoformat(), check_answer="Typed & kept", note="Note\0here"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"completed_on", "check_question", "note"}
    page = response.content.decode()
    assert "Training cannot be completed in the future." in page
    assert 'value="Typed &amp; kept"' in page
    assert not TrainingRecord.objects.exists()


def test_typed_text_is_stored_as_typed_and_shown_escaped(agent_client, agent, service):
    """The whole corpus through the three text fields, then one look at the list showing them all."""
    for hostile in TYPABLE:
        response = agent_client.post(
            ADD, _post(service, check_question=hostile[:300], check_answer=hostile[:500], note=hostile[:500])
        )
        assert response.status_code == 302, (hostile, response.context["form"].errors)

    stored = list(TrainingRecord.objects.order_by("pk").values_list("check_question", "check_answer", "note"))
    assert stored == [(hostile[:300], hostile[:500], hostile[:500]) for hostile in TYPABLE]
    page = agent_client.get(LIST).content.decode()
    for hostile in TYPABLE:
        if "<" in hostile:
            assert hostile.strip() not in page
        if "\n" not in hostile:
            assert escape(hostile[:300]) in page


def test_the_list_filters_by_agent_and_service_in_constant_queries(
    agent_client, agent, manager, service, django_assert_max_num_queries
):
    from ..tickets.factories import ServiceFactory

    other_service = ServiceFactory()
    article = publish(by=manager, services=[service])
    record(agent, service, article=article)
    record(agent, other_service)
    for colleague in AgentFactory.create_batch(5):
        record(colleague, service, article=article, by=manager)

    with django_assert_max_num_queries(12) as few:
        everyone = agent_client.get(LIST)
    for colleague in AgentFactory.create_batch(10):
        record(colleague, other_service, article=article, by=manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        agent_client.get(LIST)

    assert len(everyone.context["page"].object_list) == 7
    mine = agent_client.get(LIST, {"mine": "1"}).context["page"].object_list
    assert {r.agent for r in mine} == {agent} and len(mine) == 2
    by_service = agent_client.get(LIST, {"service": service.pk}).context["page"].object_list
    assert len(by_service) == 6 and {r.service for r in by_service} == {service}
    assert len(agent_client.get(LIST, {"agent": "x\0"}).context["page"].object_list) == 17  # bad filter: all


@pytest.mark.parametrize("url", [LIST, ADD])
def test_customers_and_visitors_are_kept_out_of_training(client, customer_client, url):
    assert client.get(url).status_code == 302
    assert customer_client.get(url).status_code == 403
