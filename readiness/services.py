"""Everything readiness changes: an agent's acknowledgement of an article's version, training
records, asking for a re-read after a major revision, and taking a service live. Each change is
audited in the admin log with who made it (as knowledge.services records)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from core.audit import admin_log
from knowledge.models import Article
from notifications.services import notify
from tickets.models import Service

from . import selectors
from .exceptions import NotReadyError, ReadinessStateError
from .models import Acknowledgement, TrainingRecord


@transaction.atomic
def article_acknowledge(*, agent: User, article: Article, now: datetime | None = None) -> Acknowledgement:
    """Record that `agent` has read and understood the article as it stands now (its latest
    version); saying it twice changes nothing. Audited on the article."""
    if article.status != Article.Status.PUBLISHED:
        raise ReadinessStateError("Only a published article can be acknowledged.")
    number = selectors.article_current_version_number(article=article)
    acknowledgement, created = Acknowledgement.objects.get_or_create(
        agent=agent,
        article=article,
        version_number=number,
        defaults={"acknowledged_at": now or timezone.now()},
    )
    if created:
        admin_log(article, agent, CHANGE, f"Read and understood version {number}.")
    return acknowledgement


@dataclass(frozen=True)
class TrainingFields:
    """What a training record says; the article's version is the one current when it is recorded."""

    agent: User
    service: Service
    article: Article | None
    trained_by: User | None
    completed_on: date
    check_question: str
    check_answer: str
    check_passed: bool | None
    note: str


@transaction.atomic
def training_record_create(
    *, fields: TrainingFields, by: User, now: datetime | None = None
) -> TrainingRecord:
    """Record an agent's training on a service (from an article's current version); audited."""
    article = fields.article
    record = TrainingRecord.objects.create(
        agent=fields.agent,
        service=fields.service,
        article=article,
        article_version_number=(
            selectors.article_current_version_number(article=article) if article is not None else None
        ),
        trained_by=fields.trained_by,
        completed_on=fields.completed_on,
        check_question=fields.check_question,
        check_answer=fields.check_answer,
        check_passed=fields.check_passed,
        note=fields.note,
        recorded_by=by,
        created_at=now or timezone.now(),
    )
    admin_log(
        record, by, ADDITION, f"Training of {fields.agent.display_name} on {fields.service.name} recorded."
    )
    return record


def article_reread_request(*, article: Article, version_number: int, now: datetime | None = None) -> int:
    """After a major revision of a published article: tell each active agent trained from it or
    who acknowledged it (notify: notice and e-mail, once per article version) that it asks for a
    re-read; until they acknowledge the new version their records show "re-read due". Returns
    how many were told."""
    if article.status != Article.Status.PUBLISHED:
        return 0
    readers = User.objects.filter(
        models.Q(pk__in=TrainingRecord.objects.filter(article=article).values("agent_id"))
        | models.Q(pk__in=Acknowledgement.objects.filter(article=article).values("agent_id")),
        is_active=True,
    )
    url = selectors.reread_url(article=article)
    told = 0
    for reader in readers:
        notify(
            recipient=reader,
            key=f"readiness-reread:{article.pk}:v{version_number}:{reader.pk}",
            template="readiness/reread_due",
            context={"article": article, "version_number": version_number},
            url=url,
            now=now,
        )
        told += 1
    return told


@transaction.atomic
def service_go_live(*, service: Service, by: User) -> Service:
    """Take a service that was not yet supported live: customers can choose it from now on.
    Refused (NotReadyError, with what is missing) unless the desk is ready; audited."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    if not service.not_yet_supported:
        raise ReadinessStateError(f"{service.name} is already live.")
    missing = selectors.service_go_live_missing(service=service)
    if missing:
        raise NotReadyError(missing)
    service.not_yet_supported = False
    service.save(update_fields=["not_yet_supported"])
    admin_log(service, by, CHANGE, "Taken live from the readiness page: customers can now choose it.")
    return service
