"""Everything the knowledge base changes: saving an article (each save a version), restoring a
version, reminding owners when a review is due, readers' helpful votes and the requests an article
made unnecessary (deflections), counting the articles replies link, and the desk's "documentation
missing / wrong" flags. Every change is audited in the admin log."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import ROLE_DEFINING_PERMISSION, Role
from core.audit import admin_log
from notifications.services import notify, notify_managers
from readiness import services as readiness_services
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.exceptions import TicketError
from tickets.models import Service, Ticket, TicketEvent, TicketMessage

from .models import (
    SEARCH_CONFIG,
    Article,
    ArticleUse,
    ArticleVersion,
    ArticleVote,
    Deflection,
    DocumentationFlag,
    Tag,
)


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
    admin_log(article, by, ADDITION if created else CHANGE, message)
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
    admin_log(article, voter, CHANGE, "Voted helpful." if helpful else "Voted not helpful.")
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
    admin_log(article, customer, CHANGE, "Solved it for a customer: no request was sent.")
    return deflection


class ArticleNotForCustomersError(TicketError):
    """A public reply links an article its reader cannot open (staff only, or a draft)."""


class DocumentationFlagError(Exception):
    """A documentation flag that cannot be raised or resolved as asked; the message says why."""


def article_link_url(*, article: Article, for_customer: bool) -> str:
    """The article's absolute address in a reply, built as the e-mails build theirs: Help's for a
    customer, the desk's for a note."""
    name = "knowledge:help_detail" if for_customer else "knowledge:detail"
    return f"{settings.SITE_URL}{reverse(name, args=[article.pk])}"


def article_ids_linked(body: str) -> set[int]:
    """The articles a text links, by Help's or the desk's address, relative or on this site (a
    link to another site's /help/ is not ours); typed by hand or inserted, in Markdown or bare."""
    site = re.escape(settings.SITE_URL)
    pattern = rf"(?<![\w/.:@-])(?:{site})?/(?:help|desk/knowledge)/(\d{{1,9}})/"
    return {int(found) for found in re.findall(pattern, body)}


def article_uses_record(*, message: TicketMessage, now: datetime | None = None) -> int:
    """Count each article IT's reply or note links as used, once for that message; returns how many
    articles it links.

    Refuses (ArticleNotForCustomersError, which rolls the reply back) a public reply that links an
    article customers cannot open: a staff-only article or a draft goes in an internal note only.
    """
    ids = article_ids_linked(message.body)
    if not ids:
        return 0
    articles = list(Article.objects.filter(pk__in=ids).only("pk", "title", "status", "audience"))
    hidden = [article for article in articles if not article.is_public]
    if hidden and not message.is_internal:
        raise ArticleNotForCustomersError(
            _(
                "This reply links “%(title)s”, which customers cannot open (%(why)s). "
                "Remove the link, or add it as an internal note."
            )
            % {
                "title": hidden[0].title,
                "why": _("a draft") if hidden[0].status == Article.Status.DRAFT else _("staff only"),
            }
        )
    now = now or timezone.now()
    created = ArticleUse.objects.bulk_create(
        [
            ArticleUse(article=article, message=message, used_by=message.author, created_at=now)
            for article in articles
        ],
        ignore_conflicts=True,  # the same message seen twice counts once (knowledge_use_once_per_reply)
    )
    return len(created)


@transaction.atomic
def documentation_flag_raise(
    *,
    ticket: Ticket,
    by: User,
    kind: str,
    reason: str,
    article: Article | None = None,
    now: datetime | None = None,
) -> DocumentationFlag:
    """Flag documentation missing (for the ticket's service) or wrong (an article), with a line of why.

    The article's owner is told (e-mail and notice); with no owner to tell (missing, or wrong with
    nobody owning it), a staff-only draft is opened for the service and its team is told (teams
    have no members: the managers). Audited on the ticket's history and in the admin log.
    """
    now = now or timezone.now()
    if kind == DocumentationFlag.Kind.WRONG and article is None:
        raise DocumentationFlagError(_("Choose the article that is wrong."))
    if kind not in DocumentationFlag.Kind.values:
        raise DocumentationFlagError(_("Choose missing or wrong."))
    if kind == DocumentationFlag.Kind.MISSING:
        article = None  # missing names the service; an article chosen on the way is not the point
    service = ticket.service
    flag = DocumentationFlag.objects.create(
        kind=kind,
        article=article,
        service=service,
        ticket=ticket,
        reason=reason,
        raised_by=by,
        created_at=now,
    )
    owner = article.owner if article is not None and article.owner_id and article.owner.is_active else None
    context = {"flag": flag, "article": article, "service": service, "ticket": ticket, "by": by}
    if owner is not None:
        notify(
            recipient=owner,
            key=f"knowledge-flag:{flag.pk}",
            template="knowledge/flag_raised",
            context=context,
            url=article.get_absolute_url(),
            now=now,
        )
    else:
        flag.draft = article_save(
            article=None,
            by=by,
            fields=ArticleFields(
                title=_draft_title(flag, service)[:200],
                summary="",
                body=_draft_body(flag, ticket),
                kind=Article.Kind.ARTICLE,
                audience=Article.Audience.STAFF,
                status=Article.Status.DRAFT,
                services=[service],
                tags=[],
                owner=None,
                review_by=None,
            ),
            note=f"Opened by a documentation flag on {ticket.reference}."[:255],
            now=now,
        )
        flag.save(update_fields=["draft"])
        context["draft"] = flag.draft
        notify_managers(
            key=f"knowledge-flag:{flag.pk}",
            template="knowledge/flag_draft_opened",
            context=context,
            url=flag.draft.get_absolute_url(),
            now=now,
        )
    ticket_services.ticket_event_record(
        ticket=ticket,
        by=by,
        kind=TicketEvent.Kind.DOC_FLAGGED,
        new=flag.get_kind_display(),
        note=reason,
        now=now,
    )
    admin_log(article or flag.draft, by, CHANGE, f"{flag.get_kind_display()} ({ticket.reference}): {reason}")
    return flag


def documentation_flag_can_resolve(*, flag: DocumentationFlag, user: User) -> bool:
    """The owner of the article it names (or of the draft it opened), or a manager."""
    owners = {
        flag.article.owner_id if flag.article_id else None,
        flag.draft.owner_id if flag.draft_id else None,
    }
    return user.pk in owners or user.has_perm(ROLE_DEFINING_PERMISSION[Role.MANAGER])


@transaction.atomic
def documentation_flag_resolve(
    *, flag: DocumentationFlag, by: User, now: datetime | None = None
) -> DocumentationFlag:
    """Mark the flag dealt with (the article's owner or a manager); audited in the admin log."""
    flag = (
        DocumentationFlag.objects.select_for_update(of=("self",))
        .select_related("article", "draft")
        .get(pk=flag.pk)
    )
    if not documentation_flag_can_resolve(flag=flag, user=by):
        raise DocumentationFlagError(_("Only the article's owner or a manager can resolve this flag."))
    if flag.resolved_at is not None:
        raise DocumentationFlagError(_("This flag is already resolved."))
    flag.resolved_at, flag.resolved_by = now or timezone.now(), by
    flag.save(update_fields=["resolved_at", "resolved_by"])
    admin_log(flag.article or flag.draft, by, CHANGE, f"{flag.get_kind_display()} resolved: {flag.reason}")
    return flag


def _draft_title(flag: DocumentationFlag, service: Service) -> str:
    if flag.kind == DocumentationFlag.Kind.WRONG:
        return _("Correction: %(title)s") % {"title": flag.article.title}
    return _("%(service)s: documentation missing") % {"service": service.name}


def _draft_body(flag: DocumentationFlag, ticket: Ticket) -> str:
    """A skeleton for the team to fill in, quoting why it was asked for (Markdown; shown escaped)."""
    quoted = "\n".join(f"> {line}" for line in flag.reason.splitlines() or [""])
    return (
        f"{flag.get_kind_display()} on {ticket.reference}:\n\n{quoted}\n\n"
        "### What the customer needs\n\n_Write the answer here._\n\n"
        "### Steps\n\n1. \n\n### When to escalate\n\n_Who to call, and when._\n"
    )


def _tags_get_or_create(names: list[str]) -> list[Tag]:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing.get(name) or Tag.objects.get_or_create(name=name)[0] for name in names]
