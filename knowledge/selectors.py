"""What the knowledge base shows: staff see every article, customers only published public ones."""

import difflib
import re
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.http import Http404

from tickets.models import Service, Ticket

from .models import SEARCH_CONFIG, Article, ArticleVersion, DocumentationFlag

# What a list shows of each article; the body and search document stay in the database.
_LIST_FIELDS = ("pk", "title", "summary", "kind", "audience", "status", "review_by", "updated_at", "owner")


class StaffView:
    """The staff list's shortcuts besides search and browse by service."""

    RECENT = "recent"
    NEEDS_REVIEW = "review"
    UNOWNED = "unowned"  # overdue and nobody owns it: managers only
    FLAGGED = "flagged"  # open "documentation missing / wrong" flags


# What the ticket page's panel shows of an article.
_PANEL_FIELDS = ("pk", "title", "summary", "audience", "status")
PANEL_SUGGESTIONS = 5


def article_list_for_staff(
    *, text: str = "", service: Service | None = None, view: str = StaffView.RECENT, today: date
) -> QuerySet[Article]:
    """Every article, drafts and staff-only included, searched, browsed or filtered by `view`."""
    articles = Article.objects.all()
    if view == StaffView.NEEDS_REVIEW:
        articles = articles.filter(review_by__lt=today).order_by("review_by", "pk")
    elif view == StaffView.UNOWNED:
        articles = articles.filter(review_by__lt=today, owner__isnull=True).order_by("review_by", "pk")
    return _listed(_searched(articles, text, service))


def article_list_for_customer(*, text: str = "", service: Service | None = None) -> QuerySet[Article]:
    """Published articles for everyone, searched or browsed by service; nothing staff-only."""
    return _listed(_searched(_public(), text, service))


def article_get_for_staff(*, pk: int) -> Article:
    try:
        return (
            Article.objects.select_related("owner")
            .prefetch_related("tags", "services")
            .defer("search_document")
            .get(pk=pk)
        )
    except Article.DoesNotExist:
        raise Http404 from None


def article_get_for_customer(*, pk: int) -> Article:
    """A published article for everyone, or 404 (a draft or staff-only article does not exist here)."""
    try:
        return _public().prefetch_related("tags", _public_services()).defer("search_document").get(pk=pk)
    except Article.DoesNotExist:
        raise Http404 from None


def article_versions(*, article: Article) -> QuerySet[ArticleVersion]:
    """The article's history, newest first, with who saved each version."""
    return article.versions.select_related("created_by").defer("body")


def article_version_get(*, article: Article, number: int) -> ArticleVersion:
    try:
        return article.versions.select_related("created_by").get(number=number)
    except ArticleVersion.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class FieldDiff:
    name: str
    lines: list[str]  # unified diff lines, "+", "-" or " " first


def article_version_diff(*, version: ArticleVersion) -> list[FieldDiff]:
    """What `version` changed since the one before it, field by field (text; templates escape it)."""
    before = version.article.versions.filter(number__lt=version.number).order_by("-number").first()
    diffs = []
    for name in ("title", "summary", "body", "kind", "audience", "status", "tag_names", "review_by"):
        old = _as_text(getattr(before, name)) if before else ""
        new = _as_text(getattr(version, name))
        if old != new:
            lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3)
            diffs.append(
                FieldDiff(name=name, lines=[line for line in lines if not line.startswith(("---", "+++"))])
            )
    return diffs


def services_with_articles(*, public_only: bool) -> QuerySet[Service]:
    """Catalog services that have articles to browse (counted as the reader may see them)."""
    seen = Q(articles__status=Article.Status.PUBLISHED, articles__audience=Article.Audience.EVERYONE)
    counted = Count("articles", filter=seen if public_only else None, distinct=True)
    return (
        Service.objects.filter(is_active=True)
        .annotate(article_count=counted)
        .filter(article_count__gt=0)
        .only("pk", "name", "slug")
        .order_by("name")
    )


def service_for_browse(*, slug: str | None) -> Service | None:
    return (
        Service.objects.filter(slug=slug, is_active=True).only("pk", "name", "slug").first() if slug else None
    )


def article_suggestions_for_ticket(*, ticket: Ticket, limit: int = PANEL_SUGGESTIONS) -> list[Article]:
    """Published articles for the ticket, staff-only ones included (the desk sees both): its
    service's first, then those matching any word of its title, best first. One query."""
    on_service = Exists(
        Article.services.through.objects.filter(article_id=OuterRef("pk"), service_id=ticket.service_id)
    )
    articles = Article.objects.filter(status=Article.Status.PUBLISHED).annotate(on_service=on_service)
    words = [word for word in re.findall(r"\w+", ticket.title) if len(word) > 2][:12]
    if words and connection.vendor == "postgresql":
        query = SearchQuery(" or ".join(words), search_type="websearch", config=SEARCH_CONFIG)
        articles = articles.filter(Q(on_service=True) | Q(search_document=query)).annotate(
            rank=SearchRank(F("search_document"), query)
        )
    else:  # SQLite (development): the service's articles alone
        articles = articles.filter(on_service=True).annotate(rank=Value(0.0))
    return list(articles.only(*_PANEL_FIELDS).order_by("-on_service", "-rank", "-updated_at")[:limit])


def article_search_for_desk(*, text: str, limit: int = PANEL_SUGGESTIONS) -> list[Article]:
    """Published articles (staff-only ones too) matching `text`, for the ticket page's search box."""
    if not text.strip():
        return []
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    return list(_searched(published, text, None).only(*_PANEL_FIELDS)[:limit])


def documentation_flags_open(*, article: Article | None = None) -> QuerySet[DocumentationFlag]:
    """Open documentation flags, newest first: all of them (the list's Flagged view), or those
    naming `article` or that opened it as a draft, with what each row shows."""
    flags = DocumentationFlag.objects.filter(resolved_at__isnull=True)
    if article is not None:
        flags = flags.filter(Q(article=article) | Q(draft=article))
    return flags.select_related("article", "draft", "service", "ticket", "raised_by").only(
        "pk",
        "kind",
        "reason",
        "created_at",
        "article__id",
        "article__title",
        "article__owner",
        "draft__id",
        "draft__title",
        "draft__owner",
        "service__id",
        "service__name",
        "service__slug",
        "ticket__id",
        "raised_by__id",
        "raised_by__first_name",
        "raised_by__last_name",
        "raised_by__username",
    )


def documentation_flag_get(*, pk: int) -> DocumentationFlag:
    try:
        return DocumentationFlag.objects.select_related("article", "draft").get(pk=pk)
    except DocumentationFlag.DoesNotExist:
        raise Http404 from None


def _public() -> QuerySet[Article]:
    return Article.objects.filter(status=Article.Status.PUBLISHED, audience=Article.Audience.EVERYONE)


def _public_services() -> Prefetch:
    return Prefetch("services", queryset=Service.objects.filter(is_active=True).only("pk", "name", "slug"))


def _searched(articles: QuerySet[Article], text: str, service: Service | None) -> QuerySet[Article]:
    if service is not None:
        articles = articles.filter(services=service)
    text = text.strip()
    if not text:
        return articles
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return (
            articles.filter(search_document=query)
            .annotate(rank=SearchRank(F("search_document"), query))
            .order_by("-rank", "-updated_at")
        )
    # SQLite (development): a plain LIKE over the same text the Postgres document holds.
    return articles.filter(Q(title__icontains=text) | Q(summary__icontains=text) | Q(body__icontains=text))


def _listed(articles: QuerySet[Article]) -> QuerySet[Article]:
    return (
        articles.select_related("owner")
        .only(*_LIST_FIELDS, "owner__first_name", "owner__last_name", "owner__username")
        .prefetch_related("tags")
    )


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
