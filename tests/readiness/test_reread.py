"""A major revision of a published article asks those trained from it, and those who acknowledged
it, to re-read it: told once per version, "re-read due" on their record until they say they have."""

import pytest
from django.urls import reverse

from notifications.models import Notification, OutboundEmail
from readiness import selectors
from readiness.services import article_reread_request

from ..accounts.factories import AgentFactory
from .conftest import publish, revise
from .test_training import record

pytestmark = pytest.mark.django_db


def test_a_major_revision_tells_the_trained_and_shows_reread_due_until_they_reread(
    client, agent, manager, service, standard, django_capture_on_commit_callbacks
):
    article = publish(by=manager, services=[service])
    trained = record(agent, service, article=article)
    untouched = record(AgentFactory(), service)  # no article: nothing to re-read
    reader = AgentFactory()
    client.force_login(reader)
    client.post(reverse("readiness:acknowledge", args=[standard.pk]))

    with django_capture_on_commit_callbacks():  # the e-mails stay in the outbox
        revise(article, by=manager, is_major=False)
        revise(article, by=manager, is_major=True)  # version 3
        revise(standard, by=manager, is_major=True)  # version 2

    told = Notification.objects.filter(key__startswith="readiness-reread:")
    assert sorted(told.values_list("key", flat=True)) == sorted(
        [f"readiness-reread:{article.pk}:v3:{agent.pk}", f"readiness-reread:{standard.pk}:v2:{reader.pk}"]
    )
    emails = OutboundEmail.objects.filter(idempotency_key__startswith="readiness-reread:")
    assert set(emails.values_list("to_address", flat=True)) == {agent.email, reader.email}
    assert all(email.subject.startswith("Please re-read:") for email in emails)
    due = {r.pk: r.reread_due for r in selectors.training_records()}
    assert due == {trained.pk: True, untouched.pk: False}

    client.force_login(agent)
    page = client.get(reverse("readiness:training") + "?mine=1").content.decode()
    assert "Re-read due" in page and "I have re-read it" in page
    response = client.post(reverse("readiness:training_reread", args=[trained.pk]))

    assert response.status_code == 302
    assert selectors.training_records().get(pk=trained.pk).reread_due is False
    assert "Re-read due" not in client.get(reverse("readiness:training")).content.decode()


def test_each_reader_is_told_once_per_version(agent, manager, service):
    article = publish(by=manager, services=[service])
    record(agent, service, article=article)
    record(agent, service, article=article)  # trained twice from it: still one person

    assert article_reread_request(article=article, version_number=2) == 1
    article_reread_request(article=article, version_number=2)

    assert Notification.objects.filter(recipient=agent, key__startswith="readiness-reread:").count() == 1


def test_a_draft_asks_nobody_and_nobody_rereads_someone_elses_record(client, agent, manager, service):
    article = publish(by=manager, services=[service])
    trained = record(agent, service, article=article)
    article.status = article.Status.DRAFT

    assert article_reread_request(article=article, version_number=2) == 0

    client.force_login(AgentFactory())
    assert client.post(reverse("readiness:training_reread", args=[trained.pk])).status_code == 404
