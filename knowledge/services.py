"""Everything the knowledge base changes: saving an article (each save a version), restoring a
version, reminding owners when a review is due, readers' helpful votes and the requests an article
made unnecessary (deflections). Each is audited in the admin log."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from notifications.services import notify
from readiness import services as readiness_services
from tickets import selectors as ticket_selectors
from tickets.models import Service

from .models import SEARCH_CONFIG, Article, ArticleVersion, ArticleVote, Deflection, Tag


@dataclass(frozen=True)
class ArticleFields:
    """What an editor sets on an article; one save of them is one version."""

    title: str
    summary: str
    body: str
    kind: str
    audience: str
    status: str
    services: list[Service]
    tags: list[str]
    owner: User | None
    review_by: date | None


@transaction.atomic
def article_save(
    *,
    article: Article | None,
    by: User,
    fields: ArticleFields,
    note: str = "",
    is_major: bool = False,
    now: datetime | None = None,
) -> Article:
    """Create the article (None) or change it, writing a new version; audited (create, edit, publish).
    A major revision of a published article asks those trained from it or who acknowledged it to
    re-read it (readiness.services.article_reread_request: notices and e-mails)."""
    now = now or timezone.now()
    created = article is None
    if created:
        article = Article(created_at=now)
        was_published = False
    else:
        article = (
            Article.objects.select_for_update()
            .defer("search_document", "subject_document")
            .get(pk=article.pk)
        )
        was_published = article.status == Article.Status.PUBLISHED
    for name in ("title", "summary", "body", "kind", "audience", "status", "owner", "review_by"):
        setattr(article, name, getattr(fields, name))
    if fields.kind == Article.Kind.STANDARD:
        article.audience = Article.Audience.STAFF  # a standard is staff only by nature
    article.updated_at = now
    if article.status == Article.Status.PUBLISHED and not was_published:
        article.published_at = now
    article.save()
    tags = _tags_get_or_create(fields.tags)
    article.tags.set(tags)
    article.services.set(fields.services)
    number = (article.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    ArticleVersion.objects.create(
        article=article,
        number=number,
        title=article.title,
        summary=article.summary,
        body=article.body,
        kind=article.kind,
        audience=article.audience,
        status=article.status,
        tag_names=[tag.name for tag in tags],
        service_ids=sorted(service.pk for service in fields.services),
        owner=article.owner,
        review_by=article.review_by,
        note=note,
        is_major=is_major or created,
        created_by=by,
        created_at=now,
    )
    article_search_document_refresh(article.pk)
    published = article.status == Article.Status.PUBLISHED and not was_published
    message = f"Version {number}" + (": published." if published else ".") + (f" {note}" if note else "")
    _audit(article, by, ADDITION if created else CHANGE, message)
    if is_major and not created:
        readiness_services.article_reread_request(article=article, version_number=number, now=now)
    return article


def article_restore(*, article: Article, version: ArticleVersion, by: User) -> Article:
    """Make an earlier version current again, as a new version (history is never rewritten); audited."""
    services = list(Service.objects.filter(pk__in=version.service_ids))  # those since deleted are gone
    fields = ArticleFields(
        title=version.title,
        summary=version.summary,
        body=version.body,
        kind=version.kind,
        audience=version.audience,
        status=version.status,
        services=services,
        tags=version.tag_names,
        owner=version.owner,
        review_by=version.review_by,
    )
    return article_save(article=article, by=by, fields=fields, note=f"Restored version {version.number}.")


def article_search_document_refresh(article_id: int) -> None:
    """Rebuild the article's full-text document: title, then summary, then body."""
    article_search_documents_refresh(Article.objects.filter(pk=article_id))


def article_search_documents_refresh(articles) -> None:
    """Rebuild the full-text documents of each of `articles` (a queryset) in one UPDATE: the
    search's (title, summary, body) and the suggestions' (title, summary)."""
    if connection.vendor != "postgresql":
        return  # SQLite searches with LIKE and needs no document
    subject = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "summary", weight="B", config=SEARCH_CONFIG
    )
    articles.update(
        search_document=subject + SearchVector("body", weight="C", config=SEARCH_CONFIG),
        subject_document=subject,
    )


def article_review_reminders_send(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Remind each owner of an article whose review date has passed, once per review date, and only
    in business hours (e-mail and notice through notify). Safe to run twice or concurrently."""
    now = now or timezone.now()
    if not ticket_selectors.desk_is_open(now=now):
        return 0
    today = timezone.localdate(now)
    due = (
        Article.objects.filter(owner__isnull=False, review_by__lt=today)
        .filter(Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("review_by")))
        .values_list("pk", flat=True)[:batch_size]
    )
    sent = 0
    for article_id in list(due):
        with transaction.atomic():
            article = (
                Article.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("owner")
                .defer("search_document", "subject_document")
                .filter(pk=article_id, owner__isnull=False, review_by__lt=today)
                .first()
            )
            if article is None or article.review_reminded_for == article.review_by:
                continue  # another run has it, or it was reviewed since
            notify(
                recipient=article.owner,
                key=f"knowledge-review:{article.pk}:{article.review_by.isoformat()}",
                template="knowledge/review_due",
                context={"article": article},
                url=article.get_absolute_url(),
                now=now,
            )
            article.review_reminded_for = article.review_by
            article.save(update_fields=["review_reminded_for"])
            sent += 1
    return sent


@transaction.atomic
def article_vote(*, article: Article, voter: User, helpful: bool, now: datetime | None = None) -> ArticleVote:
    """Record the reader's helpful / not helpful vote, or change the one they gave; audited."""
    now = now or timezone.now()
    vote, _created = ArticleVote.objects.update_or_create(
        article=article,
        voter=voter,
        defaults={"helpful": helpful, "updated_at": now},
        create_defaults={"helpful": helpful, "created_at": now, "updated_at": now},
    )
    _audit(article, voter, CHANGE, "Voted helpful." if helpful else "Voted not helpful.")
    return vote


@transaction.atomic
def deflection_record(
    *,
    article: Article,
    customer: User,
    service: Service | None,
    typed_title: str,
    now: datetime | None = None,
) -> Deflection:
    """Count that the article solved what the customer was about to ask (no ticket is made); audited."""
    deflection = Deflection.objects.create(
        article=article,
        customer=customer,
        service=service,
        typed_title=typed_title,
        created_at=now or timezone.now(),
    )
    _audit(article, customer, CHANGE, "Solved it for a customer: no request was sent.")
    return deflection


def _tags_get_or_create(names: list[str]) -> list[Tag]:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing.get(name) or Tag.objects.get_or_create(name=name)[0] for name in names]


def _audit(article: Article, by: User, action_flag: int, message: str) -> None:
    """Who did it, in the admin log (as webhooks.services records); the versions hold what."""
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=[article], action_flag=action_flag, change_message=message, single_object=True
    )
