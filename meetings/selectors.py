"""What the staff meeting shows: the period's report card (the dashboard's own, reports.selectors),
where the grade was lost, the comments, open recovery, the actions and what came of them."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from reports.forms import dashboard_filter_form
from reports.periods import Period, quarter_start
from reports.selectors import Dashboard, surveys_behind
from reports.totals import Figures, Scope, figures_with_previous
from surveys import selectors as survey_selectors
from surveys.figures import ReportCard, grade_cost, survey_total_aggregates
from surveys.models import POOR_GRADES, Grade, Survey
from tickets.models import Ticket

from .models import Action, MeetingEvent, Nomination, StaffMeeting

COMMENTS_SHOWN = 5
COSTLIEST_SHOWN = 5
RECOVERY_SHOWN = 10
# A closed action's grades are compared over as long after its closing as has passed, up to this.
COMPARE_DAYS_AT_MOST = 90


def meeting_list() -> QuerySet[StaffMeeting]:
    """Every meeting, latest first, with how many actions it decided and how many are still open."""
    return StaffMeeting.objects.select_related("created_by").annotate(
        action_count=Count("actions"),
        open_action_count=Count("actions", filter=Q(actions__closed_at__isnull=True)),
    )


def meeting_get(*, pk: int) -> StaffMeeting:
    meeting = (
        StaffMeeting.objects.select_related("created_by").prefetch_related("attendees").filter(pk=pk).first()
    )
    if meeting is None:
        raise Http404
    return meeting


def _actions() -> QuerySet[Action]:
    return Action.objects.select_related("owner", "service").prefetch_related(
        Prefetch("tickets", queryset=Ticket.objects.only("pk", "title").order_by("pk"))
    )


def meeting_actions(*, meeting: StaffMeeting) -> list[Action]:
    return list(_actions().filter(meeting=meeting))


def meeting_before(*, meeting: StaffMeeting) -> StaffMeeting | None:
    """The meeting held last before this one: whose actions this one follows up."""
    return (
        StaffMeeting.objects.filter(
            Q(held_on__lt=meeting.held_on) | Q(held_on=meeting.held_on, pk__lt=meeting.pk)
        )
        .order_by("-held_on", "-pk")
        .first()
    )


def action_get(*, pk: int) -> Action:
    action = _actions().select_related("meeting").filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


def action_history(*, meeting: StaffMeeting) -> list[MeetingEvent]:
    return list(meeting.events.select_related("actor", "action"))


@dataclass(frozen=True)
class Costly:
    """A service or process that cost the desk grade points in the period."""

    key: str
    label: str
    answered: int
    gpa: Decimal | None
    cost: Decimal


def _costliest(rows: list[tuple[str, str, ReportCard]], desk_gpa: Decimal | None) -> list[Costly]:
    costly = []
    for key, label, card in rows:
        cost = grade_cost(answered=card.answered, its_gpa=card.gpa, desk_gpa=desk_gpa)
        if cost is not None and cost > 0:
            costly.append(Costly(key, label, card.answered, card.gpa, cost))
    return sorted(costly, key=lambda row: (-row.cost, row.label))[:COSTLIEST_SHOWN]


def processes_by_grade(*, period: Period) -> list[tuple[str, str, ReportCard]]:
    """The report card of each official process the period's graded requests cited, in one query
    (the process register's link, Ticket.cited_process; the rollups do not break down by it)."""
    starts, ends = period.bounds()
    rows = (
        Survey.objects.filter(
            resolved_at__gte=starts,
            resolved_at__lt=ends,
            cancelled_at__isnull=True,
            ticket__cited_process__isnull=False,
        )
        .order_by()
        .values("ticket__cited_process", "ticket__cited_process__name")
        .annotate(**survey_total_aggregates())
    )
    cards = []
    for row in rows:
        totals = {name: value or 0 for name, value in row.items()}
        cards.append(
            (
                str(row["ticket__cited_process"]),
                row["ticket__cited_process__name"],
                ReportCard.from_totals(totals),
            )
        )
    return cards


@dataclass(frozen=True)
class BeforeAfter:
    """The grades of what a closed action touched (its service), as long before its closing as after."""

    before_period: Period
    after_period: Period
    before: Figures
    after: Figures


def action_before_after(*, action: Action, today: date) -> BeforeAfter | None:
    """None while the action is open or touches no service. One query (reports.totals)."""
    if action.closed_at is None or action.service_id is None:
        return None
    closed_on = timezone.localdate(action.closed_at)
    days = min(max((today - closed_on).days + 1, 1), COMPARE_DAYS_AT_MOST)
    after_period = Period(closed_on, closed_on + timedelta(days=days - 1))
    after, before = figures_with_previous(period=after_period, scope=Scope("service", str(action.service_id)))
    return BeforeAfter(after_period.previous(), after_period, before, after)


@dataclass
class MeetingPage:
    """Everything the meeting's page and its PDF show. Comments and recovery cases only for the
    managers: a grade is for coaching, not for the whole desk to read (surveys.selectors)."""

    meeting: StaffMeeting
    board: Dashboard
    services: list[Costly]
    processes: list[Costly]
    best: list[Survey]
    worst: list[Survey]
    recovery: list
    recovery_open: int
    actions: list[Action]
    previous_meeting: StaffMeeting | None
    previous_actions: list[tuple[Action, BeforeAfter | None]]


def meeting_page(*, meeting: StaffMeeting, user: User, now: datetime) -> MeetingPage:
    period = meeting.period
    form, teams, services = dashboard_filter_form(
        {"period": "custom", "first": period.first.isoformat(), "last": period.last.isoformat()}
    )
    board = Dashboard.for_filter(form, teams=teams, services=services, now=now)
    desk_gpa = board.figures.card.gpa
    service_rows = [
        (row.key, row.label, row.figures.card) for row in board.breakdowns.get("service", []) if row.key
    ]
    managing = user.has_perm("surveys.view_survey")
    best, worst, recovery, recovery_open = [], [], [], 0
    if managing:
        commented = surveys_behind(period=period, scope=Scope()).exclude(comment="")
        best = list(commented.filter(grade=Grade.A)[:COMMENTS_SHOWN])
        worst = list(
            commented.filter(grade__in=POOR_GRADES).order_by("-grade", "-resolved_at", "-pk")[:COMMENTS_SHOWN]
        )
        queue = survey_selectors.recovery_case_queue(manager=user, filters=survey_selectors.RecoveryFilters())
        recovery = list(queue[:RECOVERY_SHOWN])
        recovery_open = survey_selectors.recovery_cases_unclosed_count()
    previous_meeting = meeting_before(meeting=meeting)
    previous_actions = []
    if previous_meeting:
        today = timezone.localdate(now)
        previous_actions = [
            (action, action_before_after(action=action, today=today))
            for action in meeting_actions(meeting=previous_meeting)
        ]
    return MeetingPage(
        meeting=meeting,
        board=board,
        services=_costliest(service_rows, desk_gpa),
        processes=_costliest(processes_by_grade(period=period), desk_gpa),
        best=best,
        worst=worst,
        recovery=recovery,
        recovery_open=recovery_open,
        actions=meeting_actions(meeting=meeting),
        previous_meeting=previous_meeting,
        previous_actions=previous_actions,
    )


def actions_due_for_reminder(*, today: date) -> QuerySet[Action]:
    """Open actions due today or overdue whose owner has not yet been reminded of this due date."""
    return Action.objects.filter(closed_at__isnull=True, due_on__lte=today).exclude(reminded_for=F("due_on"))


def nominations_for_quarter(*, quarter: date) -> list[tuple[User, list[Nomination]]]:
    """The quarter's nominees, by agent (most nominations first), each with the kudos behind it."""
    nominations = list(
        Nomination.objects.filter(quarter=quarter_start(quarter))
        .select_related("agent", "nominated_by", "survey__ticket", "survey__customer")
        .order_by("agent_id", "created_at", "pk")
    )
    by_agent: dict[int, list[Nomination]] = {}
    for nomination in nominations:
        by_agent.setdefault(nomination.agent_id, []).append(nomination)
    return sorted(
        ((items[0].agent, items) for items in by_agent.values()),
        key=lambda pair: (-len(pair[1]), pair[0].display_name),
    )
