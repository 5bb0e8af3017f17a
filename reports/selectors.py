"""What the dashboards show: the report card, trends and breakdowns (read from the rollups, see
totals.py), the backlog, and the rows behind each figure."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet

from accounts import selectors as account_selectors
from accounts.models import User
from customers import selectors as customer_selectors
from customers.models import CustomerCategory
from surveys import selectors as survey_selectors
from surveys.figures import gpa
from surveys.models import Grade, Survey
from tickets import selectors as ticket_selectors
from tickets.models import Ticket
from tickets.querysets import sla_due_before

from .periods import Period
from .rollups import SURVEY_FIELDS
from .totals import (
    BREAKDOWN_TOTAL_NAMES,
    Figures,
    Scope,
    TrendWeek,
    figures_with_previous,
    totals_by_dim,
    weekly_trend,
)

# Up to this many agents the dashboard shows the whole agents' table; beyond, an overview of the
# highest and lowest grades and a link to the table's own page (hundreds of rows bury the rest).
AGENTS_IN_FULL = 25
AGENT_OVERVIEW_ROWS = 5
AGENT_OVERVIEW_MIN_RESPONSES = 3
# Open tickets by age: (label, at least this old).
BACKLOG_AGES = (("Under a day", 0), ("1–3 days", 1), ("3–7 days", 3), ("1–4 weeks", 7), ("Over 4 weeks", 28))


@dataclass(frozen=True)
class BreakdownRow:
    """One agent, team, … of a breakdown. Its figures are summed from BREAKDOWN_TOTAL_NAMES only
    (what the tables show): dimension averages, "would choose us" and medians are left empty."""

    key: str
    label: str
    figures: Figures


def breakdown(
    *, period: Period, scope: Scope, dim: str, labels: dict[str, str] | None = None
) -> list[BreakdownRow]:
    """One row per agent, team, … that had surveys or tickets in the period, best GPA first.
    Agents are named from their accounts; other keys from `labels`."""
    totals = totals_by_dim(period=period, scope=scope, dims=[dim], names=BREAKDOWN_TOTAL_NAMES)[dim]
    return _breakdown_rows(totals, agent_labels(list(totals)) if dim == "agent" else labels or {})


def _breakdown_rows(totals: dict[str, dict[str, int]], labels: dict[str, str]) -> list[BreakdownRow]:
    """Best GPA first; rows nobody graded last, by name."""
    rows = [
        BreakdownRow(key, labels.get(key, key or "—"), Figures.from_totals(t)) for key, t in totals.items()
    ]
    return sorted(
        rows, key=lambda row: (row.figures.card.gpa is None, -(row.figures.card.gpa or 0), row.label)
    )


def agent_labels(keys: list[str]) -> dict[str, str]:
    names = account_selectors.user_names(ids=[int(key) for key in keys if key])
    return {"": "Nobody (unassigned)", **{str(pk): name for pk, name in names.items()}}


@dataclass(frozen=True)
class Backlog:
    by_age: list[tuple[str, int]]
    breaching_now: int
    open_total: int


def backlog(*, scope: Scope, now: datetime) -> Backlog:
    """Open tickets by age, and how many have missed a target, in one query."""
    ages = [now - timedelta(days=days) for _, days in BACKLOG_AGES]
    counts = {
        f"age_{n}": Count(
            "pk",
            filter=Q(created_at__lte=ages[n]) & (Q(created_at__gt=ages[n + 1]) if n + 1 < len(ages) else Q()),
        )
        for n in range(len(ages))
    }
    totals = scope.tickets(Ticket.objects.unresolved()).aggregate(
        **counts, breaching_now=Count("pk", filter=sla_due_before(now)), open_total=Count("pk")
    )
    return Backlog(
        by_age=[(label, totals[f"age_{n}"]) for n, (label, _) in enumerate(BACKLOG_AGES)],
        breaching_now=totals["breaching_now"],
        open_total=totals["open_total"],
    )


def processes_turning_customers_away(*, period: Period, scope: Scope, limit: int = 5) -> list[dict]:
    """The processes that turned customers away in the period (requests created in it; the one
    definition, Ticket.objects.turned_away_by_process(), the process register's), by how many."""
    starts, ends = period.bounds()
    return list(
        scope.tickets(
            Ticket.objects.turned_away_by_process().filter(created_at__gte=starts, created_at__lt=ends)
        )
        .values("cited_process_id", "cited_process__name")
        .annotate(customers=Count("customer", distinct=True))
        .order_by("-customers", "cited_process__name")[:limit]
    )


def waiting_counts() -> dict[str, int]:
    return {
        "recovery_open": survey_selectors.recovery_cases_unclosed_count(),
        "suggestions_waiting": customer_selectors.repeat_offender_suggestions_waiting(),
    }


def scope_choices() -> tuple[dict[str, str], dict[str, str]]:
    """Team and service names by id (for the filter and the breakdowns' labels)."""
    return ticket_selectors.team_names(), ticket_selectors.service_names()


def agent_grades(*, agent: User, period: Period) -> QuerySet[Survey]:
    """The grades behind an agent's report card: their answered surveys on requests resolved in the
    period (the card's own surveys, surveys.figures), newest answer first."""
    starts, ends = period.bounds()
    return survey_selectors.surveys_answered_for_agent(agent=agent).filter(
        resolved_at__gte=starts, resolved_at__lt=ends, cancelled_at__isnull=True
    )


def agent_kudos(*, agent: User, period: Period) -> QuerySet[Survey]:
    """Kudos: the A grades with a comment on the agent's requests resolved in the period, newest
    first (their report card shows them; the managers nominate from them, meetings app)."""
    return agent_grades(agent=agent, period=period).filter(grade=Grade.A).exclude(comment="")


def surveys_behind(
    *, period: Period, scope: Scope, dim: str = "", key: str = "", grade: str = ""
) -> QuerySet[Survey]:
    """The answered surveys behind a figure (drill-down), newest first."""
    starts, ends = period.bounds()
    surveys = scope.surveys(
        Survey.objects.filter(
            resolved_at__gte=starts,
            resolved_at__lt=ends,
            cancelled_at__isnull=True,
            answered_at__isnull=False,
        )
    )
    field = SURVEY_FIELDS.get(dim)
    if field:
        surveys = (
            surveys.filter(**{field: key or None})
            if field.endswith("_id")
            else surveys.filter(**{field: key})
        )
    if grade:
        surveys = surveys.filter(grade=grade)
    return surveys.select_related("ticket", "agent", "customer").order_by("-resolved_at", "-pk")


TICKET_MEASURES = {
    "created": "Tickets created",
    "first_response_missed": "First answer later than its target",
    "resolution_missed": "Resolved later than its target",
}


def tickets_behind(*, period: Period, scope: Scope, measure: str) -> QuerySet[Ticket]:
    """The tickets created in the period behind a health figure (drill-down), newest first."""
    starts, ends = period.bounds()
    tickets = scope.tickets(Ticket.objects.filter(created_at__gte=starts, created_at__lt=ends))
    if measure == "first_response_missed":
        tickets = tickets.filter(first_responded_at__gt=F("first_response_due_at"))
    elif measure == "resolution_missed":
        tickets = tickets.filter(status__in=Ticket.RESOLVED_STATUSES, resolved_at__gt=F("resolution_due_at"))
    return tickets.select_related("customer", "assignee", "service").order_by("-created_at", "-pk")


# Every breakdown (rollups.FINE_DIMS) by its title, in the dashboard's order.
BREAKDOWNS = {
    "agent": "By agent",
    "team": "By team",
    "service": "By service",
    "category": "By customer category",
    "priority": "By priority",
    "channel": "By channel",
}


class Dashboard:
    """Everything the managers' dashboard shows, each part read from the database when first used:
    the page keeps the trend and breakdowns in the cache, so a view of unchanged rollups reads
    neither. About a dozen queries in all, whatever the data's size."""

    def __init__(
        self, *, period: Period, scope: Scope, now: datetime, teams: dict[str, str], services: dict[str, str]
    ) -> None:
        self.period, self.scope, self.now = period, scope, now
        self.teams, self.services = teams, services

    @classmethod
    def for_filter(
        cls, form, *, teams: dict[str, str], services: dict[str, str], now: datetime
    ) -> "Dashboard":
        """The dashboard of a filter form's period and scope (forms.DashboardFilterForm; its
        defaults where it is not valid): the page's, and the API's report card."""
        return cls(
            period=form.chosen_period(),
            scope=Scope.parse(form.chosen_scope()),
            now=now,
            teams=teams,
            services=services,
        )

    @cached_property
    def _figures(self) -> tuple[Figures, Figures]:
        return figures_with_previous(period=self.period, scope=self.scope)

    @property
    def figures(self) -> Figures:
        return self._figures[0]

    @property
    def previous(self) -> Figures:
        return self._figures[1]

    @cached_property
    def trend(self) -> list[TrendWeek]:
        return weekly_trend(today=self.period.last, scope=self.scope)

    @cached_property
    def _breakdowns(self) -> tuple[dict[str, list[BreakdownRow]], "AgentOverview | None"]:
        labels = dashboard_labels(self.teams, self.services)
        # Filtered to one team, a breakdown by team says nothing more.
        dims = [dim for dim in BREAKDOWNS if dim != self.scope.dim]
        totals = totals_by_dim(period=self.period, scope=self.scope, dims=dims, names=BREAKDOWN_TOTAL_NAMES)
        agents = totals.pop("agent")
        overview = None
        if len(agents) > AGENTS_IN_FULL:
            overview = agent_overview(agents)
        else:
            totals["agent"] = agents
            labels["agent"] = agent_labels(list(agents))
        return {dim: _breakdown_rows(totals[dim], labels[dim]) for dim in dims if dim in totals}, overview

    @property
    def breakdowns(self) -> dict[str, list[BreakdownRow]]:
        """Every breakdown, the agents' only when there are few (see agent_overview)."""
        return self._breakdowns[0]

    @property
    def agent_overview(self) -> "AgentOverview | None":
        return self._breakdowns[1]

    @cached_property
    def backlog(self) -> Backlog:
        # Live, yet read again at most once a minute: it scans every open request.
        return cache.get_or_set(
            f"reports:backlog:{self.scope}",
            lambda: backlog(scope=self.scope, now=self.now),
            settings.REPORTS_LIVE_SECONDS,
        )

    @cached_property
    def processes(self) -> list[dict]:
        return processes_turning_customers_away(period=self.period, scope=self.scope)

    @cached_property
    def waiting(self) -> dict[str, int]:
        return cache.get_or_set("reports:waiting", waiting_counts, settings.REPORTS_LIVE_SECONDS)


@dataclass(frozen=True)
class AgentOverview:
    """The agents' breakdown of a large desk, on the dashboard: how many, and the highest and
    lowest grade point averages (the full table has its own page)."""

    agents: int
    highest: list[BreakdownRow]
    lowest: list[BreakdownRow]
    min_responses: int = AGENT_OVERVIEW_MIN_RESPONSES


def agent_overview(totals: dict[str, dict[str, int]]) -> AgentOverview:
    """The AGENT_OVERVIEW_ROWS agents with the highest and the lowest GPA, of those with at least
    AGENT_OVERVIEW_MIN_RESPONSES answers (fewer say little about anyone)."""
    graded = [
        (gpa(t), key) for key, t in totals.items() if key and t["answered"] >= AGENT_OVERVIEW_MIN_RESPONSES
    ]
    # Equal averages in the order of the ids, both ways, as the full table lists them.
    lowest = [key for _, key in sorted(graded)[:AGENT_OVERVIEW_ROWS]]
    rest = [(points, key) for points, key in graded if key not in lowest]  # nobody on both lists
    highest = [key for _, key in sorted(rest, key=lambda pair: (-pair[0], pair[1]))[:AGENT_OVERVIEW_ROWS]]
    labels = agent_labels(lowest + highest)
    rows = {
        key: BreakdownRow(key, labels.get(key, key), Figures.from_totals(totals[key]))
        for key in {*lowest, *highest}
    }
    return AgentOverview(
        agents=sum(1 for key in totals if key),  # "" is work nobody was assigned
        highest=[rows[key] for key in highest],
        lowest=[rows[key] for key in lowest],
    )


def dashboard_labels(teams: dict[str, str], services: dict[str, str]) -> dict[str, dict[str, str]]:
    """What each breakdown's keys are called (agents are looked up: there are many)."""
    return {
        "team": {"": "No team", **teams},
        "service": {"": "No service", **services},
        "category": {str(value): str(label) for value, label in CustomerCategory.choices},
        "priority": {str(value): str(label) for value, label in Ticket._meta.get_field("priority").choices},
        "channel": {str(value): str(label) for value, label in Ticket.Channel.choices},
    }
