"""What readiness shows: the standards each agent still has to read, training records with their
re-reads due, who is trained on a service, and the readiness of every IT service."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse

from accounts import selectors as account_selectors
from accounts.models import User
from knowledge.models import Article, ArticleVersion, DocumentationFlag
from reports.periods import Period
from reports.selectors import breakdown
from reports.totals import Scope
from surveys.figures import ratio
from surveys.models import POOR_GRADES
from tickets.models import Priority, Service, SlaPolicy, Ticket

from .models import Acknowledgement, TrainingRecord


def _latest_major(article: str) -> Subquery:
    """The number of the article's latest major version: what an agent must have acknowledged."""
    versions = ArticleVersion.objects.filter(article=OuterRef(article), is_major=True).order_by("-number")
    return Subquery(versions.values("number")[:1])


def article_current_version_number(*, article: Article) -> int:
    return article.versions.aggregate(number=Max("number"))["number"] or 0


def reread_url(*, article: Article) -> str:
    """Where a reader acknowledges the article: the standards page, or their training records."""
    if article.kind == Article.Kind.STANDARD:
        return reverse("readiness:standards")
    return reverse("readiness:training") + "?mine=1"


# --- Service standards ---------------------------------------------------------------------


def _standards() -> QuerySet[Article]:
    return Article.objects.filter(kind=Article.Kind.STANDARD, status=Article.Status.PUBLISHED)


def standards_to_read_count(*, agent: User) -> int:
    """How many published service standards `agent` has not acknowledged since their latest major
    version (never read, or revised since): the desk's banner. One query."""
    read = Acknowledgement.objects.filter(
        agent=agent, article=OuterRef("pk"), version_number__gte=OuterRef("major")
    )
    return _standards().annotate(major=_latest_major("pk")).exclude(Exists(read)).count()


class ReadState:
    READ = "read"
    REREAD = "reread"  # read an earlier version; a major revision since
    UNREAD = "unread"


def _state(acknowledged: int | None, major: int | None) -> str:
    if acknowledged is None:
        return ReadState.UNREAD
    return ReadState.READ if acknowledged >= (major or 0) else ReadState.REREAD


@dataclass
class StandardRow:
    article: Article
    state: str  # ReadState, for the agent looking


def standards_for_agent(*, agent: User) -> list[StandardRow]:
    """Every published service standard, oldest first, with what `agent` has done about it. One query."""
    acknowledged = (
        Acknowledgement.objects.filter(agent=agent, article=OuterRef("pk"))
        .order_by("-version_number")
        .values("version_number")[:1]
    )
    standards = (
        _standards()
        .annotate(major=_latest_major("pk"), acknowledged=Subquery(acknowledged))
        .defer("search_document")
        .order_by("title", "pk")
    )
    return [StandardRow(article, _state(article.acknowledged, article.major)) for article in standards]


@dataclass
class MatrixRow:
    agent: User
    states: list[str]  # one per standard, in the matrix's order

    @property
    def to_read(self) -> int:
        return sum(state != ReadState.READ for state in self.states)


def acknowledgement_matrix() -> tuple[list[Article], list[MatrixRow]]:
    """Who has acknowledged which standard: the standards (columns) and a row per active agent.
    Three queries whatever the number of agents and standards."""
    standards = list(
        _standards().annotate(major=_latest_major("pk")).only("pk", "title").order_by("title", "pk")
    )
    agents = list(account_selectors.agents_list())
    latest = {
        (agent_id, article_id): number
        for agent_id, article_id, number in Acknowledgement.objects.filter(
            article__in=[standard.pk for standard in standards]
        )
        .values("agent_id", "article_id")
        .annotate(number=Max("version_number"))
        .values_list("agent_id", "article_id", "number")
    }
    rows = [
        MatrixRow(agent, [_state(latest.get((agent.pk, s.pk)), s.major) for s in standards])
        for agent in agents
    ]
    return standards, rows


# --- Training ------------------------------------------------------------------------------


# The names shown of each person on a training record.
_NAME_FIELDS = tuple(
    f"{user}__{name}"
    for user in ("agent", "trained_by", "recorded_by")
    for name in ("username", "first_name", "last_name")
)


def training_records(
    *, agent: User | None = None, service: Service | None = None
) -> QuerySet[TrainingRecord]:
    """Training records, latest first, with `reread_due`: trained from an article that has had a
    major revision since, not yet acknowledged by the agent. One query."""
    reread = Acknowledgement.objects.filter(
        agent=OuterRef("agent"), article=OuterRef("article"), version_number__gte=OuterRef("major")
    )
    records = (
        TrainingRecord.objects.select_related("agent", "service", "article", "trained_by", "recorded_by")
        .only(
            *(f.name for f in TrainingRecord._meta.concrete_fields),
            *_NAME_FIELDS,
            "service__name",
            "service__slug",
            "article__title",
            "article__kind",
        )
        .annotate(major=_latest_major("article"), reread_done=Exists(reread))
        .annotate(
            reread_due=Case(
                When(Q(major__gt=F("article_version_number"), reread_done=False), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    if agent is not None:
        records = records.filter(agent=agent)
    if service is not None:
        records = records.filter(service=service)
    return records


def training_record_get_for_agent(*, agent: User, pk: int) -> TrainingRecord | None:
    return TrainingRecord.objects.select_related("article").filter(pk=pk, agent=agent).first()


def agents_trained_on(*, service_id: int | None) -> list[User]:
    """The active agents with a training record on this service, by name (the ticket page's
    routing hint). One query."""
    if service_id is None:
        return []
    trained = TrainingRecord.objects.filter(service_id=service_id).values("agent_id")
    return list(account_selectors.agents_among(ids=trained))


def training_services() -> QuerySet[Service]:
    """What training is recorded on: the active services IT provides."""
    return Service.objects.filter(is_active=True, provided_by_it=True).only("pk", "name").order_by("name")


# --- Readiness per service -----------------------------------------------------------------

WARNINGS = {
    "missing": "no published article",
    "stale": "an article past its review date",
    "untrained": "handled by agents not trained on it",
    "few_trained": "fewer trained agents than the go-live minimum",
    "process": "its process is not working well",
    "flags": "documentation flagged missing or wrong in the period",
}
ORDER_RULE = (
    "Services with the most warning signs come first ("
    + ", ".join(WARNINGS.values())
    + "); among equals, the larger share of D–F grades in the period, then by name."
)


@dataclass
class ServiceReadiness:
    service: Service
    fresh: int  # published articles not past their review date
    stale: int  # published articles past it
    trained: list[str]  # names of the active agents trained on it
    handled: list[str]  # names of the period's assignees of its tickets
    untrained_handlers: list[str]  # of those, the ones with no training on it
    answered: int
    gpa: Decimal | None
    poor_share: Decimal | None  # D–F among the period's answers
    flags_missing: int
    flags_wrong: int
    go_live_missing: list[str] = field(default_factory=list)  # only for a service not yet supported

    @property
    def warnings(self) -> list[str]:
        signs = []
        if not self.fresh and not self.stale:
            signs.append(WARNINGS["missing"])
        if self.stale:
            signs.append(WARNINGS["stale"])
        if self.untrained_handlers:
            signs.append(WARNINGS["untrained"])
        if len(self.trained) < settings.READINESS_MIN_TRAINED_AGENTS:
            signs.append(WARNINGS["few_trained"])
        if self.service.process_health != "works":
            signs.append(WARNINGS["process"])
        if self.flags_missing or self.flags_wrong:
            signs.append(WARNINGS["flags"])
        return signs


def sla_priorities_uncovered() -> list[str]:
    """The priorities with no default SLA policy. A policy applies by priority (and customer
    category) to every service alike, so a service is covered when each priority has a default
    one; without it the built-in fallback targets would apply. One query."""
    covered = set(SlaPolicy.objects.filter(customer_category="").values_list("priority", flat=True))
    return [str(label) for value, label in Priority.choices if value not in covered]


def go_live_missing(*, published_articles: int, trained_agents: int, sla_uncovered: list[str]) -> list[str]:
    """What a service still needs before it goes live, one line each (nothing: it may)."""
    missing = []
    if not published_articles:
        missing.append("A published knowledge base article for it.")
    need = settings.READINESS_MIN_TRAINED_AGENTS
    if trained_agents < need:
        missing.append(f"At least {need} trained agents (now {trained_agents}).")
    if sla_uncovered:
        missing.append("A default SLA policy for priority " + ", ".join(sla_uncovered) + ".")
    return missing


def service_go_live_missing(*, service: Service) -> list[str]:
    """go_live_missing for one service, read now."""
    return go_live_missing(
        published_articles=service.articles.filter(status=Article.Status.PUBLISHED).count(),
        trained_agents=len(agents_trained_on(service_id=service.pk)),
        sla_uncovered=sla_priorities_uncovered(),
    )


def service_readiness(*, period: Period, today: date) -> list[ServiceReadiness]:
    """Every active IT service's readiness over `period`, worst first (ORDER_RULE). A constant
    number of queries: the services with their article counts, training, the period's assignees,
    the names, documentation flags, the grades (the dashboard's service breakdown) and the SLA."""
    published = Q(articles__status=Article.Status.PUBLISHED)
    fresh = Q(articles__review_by__isnull=True) | Q(articles__review_by__gte=today)
    services = list(
        Service.objects.filter(is_active=True, provided_by_it=True)
        .annotate(
            fresh=Count("articles", filter=published & fresh, distinct=True),
            stale=Count("articles", filter=published & Q(articles__review_by__lt=today), distinct=True),
        )
        .only("pk", "name", "slug", "process_health", "not_yet_supported")
    )
    ids = [service.pk for service in services]
    active_agents = {agent.pk: agent.display_name for agent in account_selectors.agents_list()}
    trained: dict[int, set[int]] = {pk: set() for pk in ids}
    for service_id, agent_id in (
        TrainingRecord.objects.filter(service_id__in=ids).values_list("service_id", "agent_id").distinct()
    ):
        if agent_id in active_agents:
            trained[service_id].add(agent_id)
    starts, ends = period.bounds()
    handled: dict[int, set[int]] = {pk: set() for pk in ids}
    for service_id, assignee_id in (
        Ticket.objects.filter(
            service_id__in=ids, created_at__gte=starts, created_at__lt=ends, assignee__isnull=False
        )
        .order_by()
        .values_list("service_id", "assignee_id")
        .distinct()
    ):
        handled[service_id].add(assignee_id)
    names = active_agents | account_selectors.user_names(
        ids=[pk for pks in handled.values() for pk in pks if pk not in active_agents]
    )
    flags = _flags_by_service(ids, starts, ends)
    grades = {row.key: row.figures.card for row in breakdown(period=period, scope=Scope(), dim="service")}
    sla_uncovered = sla_priorities_uncovered()

    rows = []
    for service in services:
        card = grades.get(str(service.pk))
        answered = card.answered if card else 0
        poor = sum(card.distribution[grade] for grade in POOR_GRADES) if card else 0
        row = ServiceReadiness(
            service=service,
            fresh=service.fresh,
            stale=service.stale,
            trained=sorted(names[pk] for pk in trained[service.pk]),
            handled=sorted(names[pk] for pk in handled[service.pk]),
            untrained_handlers=sorted(names[pk] for pk in handled[service.pk] - trained[service.pk]),
            answered=answered,
            gpa=card.gpa if card else None,
            poor_share=ratio(poor, answered),
            flags_missing=flags.get((service.pk, DocumentationFlag.Kind.MISSING), 0),
            flags_wrong=flags.get((service.pk, DocumentationFlag.Kind.WRONG), 0),
        )
        if service.not_yet_supported:
            row.go_live_missing = go_live_missing(
                published_articles=row.fresh + row.stale,
                trained_agents=len(row.trained),
                sla_uncovered=sla_uncovered,
            )
        rows.append(row)
    rows.sort(key=lambda row: (-len(row.warnings), -(row.poor_share or 0), row.service.name))
    return rows


def _flags_by_service(ids: list[int], starts, ends) -> dict[tuple[int, str], int]:
    """The period's documentation flags by (service, kind): a flag names its service, or else the
    article it is about, which counts for each service the article serves. One query."""
    counts: dict[tuple[int, str], int] = {}
    rows = (
        DocumentationFlag.objects.filter(created_at__gte=starts, created_at__lt=ends)
        .filter(Q(service_id__in=ids) | Q(service__isnull=True, article__services__in=ids))
        .order_by()
        .values_list("pk", "kind", "service_id", "article__services")
    )
    seen = set()
    for pk, kind, service_id, article_service_id in rows:
        key = (service_id or article_service_id, kind)
        if key[0] in ids and (pk, key[0]) not in seen:
            seen.add((pk, key[0]))
            counts[key] = counts.get(key, 0) + 1
    return counts
