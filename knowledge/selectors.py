"""What the knowledge base shows: staff see every article, customers only published public ones."""

import difflib
import re
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from tickets.models import Service, Ticket

from .models import (
    SEARCH_CONFIG,
    Article,
    ArticleUse,
    ArticleVersion,
    ArticleVote,
    Deflection,
    DocumentationFlag,
)

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
    return _listed(_searched(articles, text, service)).annotate(deflection_count=_deflection_count())


def article_list_for_customer(*, text: str = "", service: Service | None = None) -> QuerySet[Article]:
    """Published articles for everyone, searched or browsed by service; nothing staff-only."""
    return _listed(_searched(_public(), text, service))


def article_get_for_staff(*, pk: int) -> Article:
    try:
        return (
            Article.objects.select_related("owner")
            .prefetch_related("tags", "services")
            .defer("search_document", "subject_document")
            .get(pk=pk)
        )
    except Article.DoesNotExist:
        raise Http404 from None


def article_get_for_customer(*, pk: int) -> Article:
    """A published article for everyone, or 404 (a draft or staff-only article does not exist here)."""
    try:
        return (
            _public()
            .prefetch_related("tags", _public_services())
            .defer("search_document", "subject_document")
            .get(pk=pk)
        )
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


SUGGESTIONS = 5  # what fits beside the form without pushing it down
_SUGGESTION_WORDS = 8  # the first words of a long title carry its subject; more only slow the query
_SERVICE_BOOST = 0.5  # an article for the chosen service outranks a slightly better match elsewhere
_RELEVANCE_FLOOR = 0.25  # of the best match's score: below it a suggestion is noise (one common word)


def article_suggestions(*, text: str, service: Service | None, limit: int = SUGGESTIONS) -> list[Article]:
    """Published articles for everyone that may answer what a customer is typing as a new
    request's title: any of its words, the last one possibly half-typed, in the article's title
    (weighted over) or summary, its subject (the body is Help search's, and too costly to rank
    while typing). An article for the chosen service ranks higher, and one far behind the best
    match is left out. With no words, the service's newest articles. One or two queries; nothing
    staff-only or draft, ever."""
    words = _words(text)
    articles = _public().only("pk", "title", "summary", "updated_at")
    in_service = (
        Exists(Article.services.through.objects.filter(article_id=OuterRef("pk"), service_id=service.pk))
        if service is not None
        else Value(False)
    )
    boost = Case(When(in_service, then=Value(_SERVICE_BOOST)), default=Value(0.0), output_field=FloatField())
    if not words:
        if service is None:
            return []
        return list(articles.filter(services=service).order_by("-updated_at", "-pk")[:limit])
    if connection.vendor == "postgresql":
        # Articles with every word first (few, so quick to rank, and the best answers); only when
        # they are fewer than `limit`, those with any of the words. Only letters and digits reach
        # to_tsquery, so nothing typed can be read as its operators.
        terms = [*words[:-1], _prefix(words[-1])]
        found = _ranked(articles, " & ".join(terms), boost, limit)
        if len(found) < limit and len(words) > 1:
            shown = {article.pk for article in found}
            found += [
                article
                for article in _ranked(articles, " | ".join(terms), boost, limit)
                if article.pk not in shown
            ]
        return found[:limit]
    # SQLite (development): any word as a substring of the subject, a title hit worth more.
    matched = articles.filter(
        Q.create(
            [Q(**{f"{field}__icontains": word}) for word in words for field in ("title", "summary")],
            connector=Q.OR,
        )
    )
    hits = [
        Case(When(**{f"{field}__icontains": word}, then=Value(weight)), default=Value(0.0))
        for word in words
        for field, weight in (("title", 1.0), ("summary", 0.4))
    ]
    score = sum(hits[1:], hits[0]) + boost
    return _above_floor(list(matched.annotate(score=score).order_by("-score", "-updated_at", "-pk")[:limit]))


def _ranked(articles: QuerySet[Article], raw: str, boost, limit: int) -> list[Article]:
    query = SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)
    # Normalised by the document's length (1): a long body does not win on repetition alone.
    score = SearchRank(F("subject_document"), query, normalization=1) + boost
    matched = articles.filter(subject_document=query).annotate(score=score)
    return _above_floor(list(matched.order_by("-score", "-updated_at", "-pk")[:limit]))


def _prefix(word: str) -> str:
    """A half-typed word as a prefix; from four letters also one letter shorter, as a stem may be
    ("jamm" of "jamming" stems to "jam"), while a whole word is stemmed as the document was."""
    return f"({word}:* | {word[:-1]}:*)" if len(word) >= 4 else f"{word}:*"


def _above_floor(found: list[Article]) -> list[Article]:
    return [article for article in found if article.score >= found[0].score * _RELEVANCE_FLOOR]


def _words(text: str) -> list[str]:
    """The typed words that can name a subject: a lone letter ("b" of a pasted "<b>") cannot, and
    as a prefix or a substring it would match nearly every article."""
    shortest = 2 if connection.vendor == "postgresql" else 3  # SQLite matches substrings
    words = [word for word in re.findall(r"[^\W_]+", text.lower()) if len(word) >= shortest]
    return words[:_SUGGESTION_WORDS]


@dataclass(frozen=True)
class ArticleStats:
    """How an article is used and received; each figure is defined once, in _stat_counts."""

    uses: int  # replies that link it
    helpful: int
    not_helpful: int
    deflections: int  # customers it solved a problem for, no request sent
    open_flags: int  # "documentation missing/wrong" flags not yet dealt with


def _count_of(model: type[Model], **filters) -> Coalesce:
    rows = model.objects.filter(article_id=OuterRef("pk"), **filters).order_by()
    counted = rows.values("article_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _stat_counts() -> dict:
    return {
        "uses": _count_of(ArticleUse),
        "helpful": _count_of(ArticleVote, helpful=True),
        "not_helpful": _count_of(ArticleVote, helpful=False),
        "deflections": _deflection_count(),
        "open_flags": _count_of(DocumentationFlag, resolved_at__isnull=True),
    }


def _deflection_count() -> Coalesce:
    return _count_of(Deflection)


def article_stats(*, article: Article) -> ArticleStats:
    """The article's use in replies, votes, deflections and open flags: one query."""
    counts = {f"{name}_count": count for name, count in _stat_counts().items()}
    row = Article.objects.filter(pk=article.pk).annotate(**counts).values(*counts).get()
    return ArticleStats(**{name.removesuffix("_count"): value for name, value in row.items()})


def article_vote_get(*, article: Article, voter: User) -> bool | None:
    """The reader's vote on the article: helpful (True), not (False), or None if they have not voted."""
    return ArticleVote.objects.filter(article=article, voter=voter).values_list("helpful", flat=True).first()


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
