"""The rollups always equal the live figures: tickets and surveys made through the services over
two months, changed after a refresh (late answers, a reopen, a category change), then compared
with figures computed straight from the rows, for several periods, filters and breakdowns."""

import importlib
import random
from datetime import date, datetime, time, timedelta

import pytest
from django.apps import apps as django_apps
from django.db.models import F, Q
from django.utils import timezone

from customers.models import CustomerCategory
from customers.services import customer_category_set
from reports.models import Rollup, RollupPeriod, Span
from reports.periods import Period
from reports.rollups import duration_bucket, rollups_refresh
from reports.selectors import breakdown
from reports.totals import Health, Scope, figures_with_previous, totals_by_key, weekly_trend
from surveys.figures import ratio, report_card
from surveys.models import Survey
from surveys.services import survey_answer
from tickets.models import Ticket
from tickets.services import ticket_claim, ticket_reopen, ticket_reply, ticket_status_change

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..tickets.factories import ServiceFactory, TeamFactory, TicketFactory

pytestmark = pytest.mark.django_db

CHANNELS = Ticket.Channel.values  # the tickets come in by each in turn
FIRST_DAY = date(2026, 9, 20)  # the data runs over the end of September and all of October
TODAY = date(2026, 11, 2)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def desk():
    rng = random.Random(3)
    teams = [TeamFactory(name="Desk"), TeamFactory(name="Field")]
    services = [ServiceFactory(default_team=teams[0]), ServiceFactory(default_team=teams[1])]
    agents = [AgentFactory() for _ in range(3)]
    customers = [CustomerFactory() for _ in range(4)]
    manager = ManagerFactory()
    customer_category_set(user=customers[0], by=manager, category=CustomerCategory.VIP, reason="Board")
    tickets = []
    for n in range(40):
        created = at(FIRST_DAY + timedelta(days=rng.randint(0, 40)), rng.randint(0, 23))
        service = rng.choice(services)
        ticket = TicketFactory(
            created_at=created,
            channel=CHANNELS[n % len(CHANNELS)],
            customer=rng.choice(customers),
            service=service,
            team=service.default_team,
            priority=rng.choice(["p1", "p2", "p3", "p4"]),
            first_response_due_at=created + timedelta(hours=4),
            resolution_due_at=created + timedelta(days=2),
        )
        agent = rng.choice(agents)
        if n % 5:
            answered = created + timedelta(minutes=rng.choice([10, 45, 200, 600, 3000]))
            ticket_claim(ticket=ticket, agent=agent, now=answered)
            ticket_reply(ticket=ticket, author=agent, body="On it", now=answered)
        if n % 5 > 1:
            resolved = created + timedelta(hours=rng.choice([1, 5, 30, 70, 200]))
            ticket = ticket_status_change(ticket=ticket, by=agent, status="resolved", now=resolved)
            survey = ticket.surveys.get()
            Survey.objects.filter(pk=survey.pk).update(invited_at=resolved)
            if n % 3:
                survey_answer(
                    survey=survey,
                    answers={
                        "grade": rng.choice("ABCDF"),
                        "empathy": rng.randint(1, 5),
                        "would_choose_us": "yes",
                    },
                    now=resolved + timedelta(hours=1),
                )
        tickets.append(ticket)
    return {
        "teams": teams,
        "services": services,
        "agents": agents,
        "customers": customers,
        "manager": manager,
    }


def live_surveys(period: Period, scope: Scope):
    starts, ends = period.bounds()
    return scope.surveys(
        Survey.objects.filter(resolved_at__gte=starts, resolved_at__lt=ends, cancelled_at__isnull=True)
    )


def live_health(period: Period, scope: Scope) -> dict:
    """Ticket figures worked out row by row, independently of the rollups' code."""
    starts, ends = period.bounds()
    tickets = scope.tickets(Ticket.objects.filter(created_at__gte=starts, created_at__lt=ends))
    responded = [t for t in tickets if t.first_responded_at]
    resolved = [t for t in tickets if t.status in ("resolved", "closed")]
    return {
        "tickets_created": len(tickets),
        "first_responded": len(responded),
        "first_response_met": sum(t.first_responded_at <= t.first_response_due_at for t in responded),
        "resolved": len(resolved),
        "resolution_met": sum(t.resolved_at <= t.resolution_due_at for t in resolved),
        "first_response_buckets": sorted(
            duration_bucket(t.first_responded_at - t.created_at) for t in responded
        ),
        "resolution_buckets": sorted(duration_bucket(t.resolved_at - t.created_at) for t in resolved),
    }


def health_as_live(totals: dict) -> dict:
    buckets = lambda name: sorted(n for n in range(11) for _ in range(totals[f"{name}_b{n}"]))  # noqa: E731
    return {
        **{
            name: totals[name]
            for name in (
                "tickets_created",
                "first_responded",
                "first_response_met",
                "resolved",
                "resolution_met",
            )
        },
        "first_response_buckets": buckets("first_response"),
        "resolution_buckets": buckets("resolution"),
    }


PERIODS = [
    Period(date(2026, 6, 20), TODAY),  # a whole quarter (July to September), a month, weeks, days
    Period(FIRST_DAY, TODAY),  # whole months and loose days on either side
    Period(date(2026, 9, 25), date(2026, 10, 24)),  # across a month's end
    Period(date(2026, 10, 1), date(2026, 10, 31)),  # exactly one month
    Period(date(2026, 10, 5), date(2026, 10, 11)),  # one whole week, Monday to Sunday
    Period(date(2026, 10, 6), date(2026, 10, 12)),  # seven days across two weeks
]


def scopes(desk) -> list[Scope]:
    return [
        Scope(),
        Scope("team", str(desk["teams"][1].pk)),
        Scope("service", str(desk["services"][0].pk)),
        Scope("category", CustomerCategory.VIP),
        Scope("category", CustomerCategory.GENERAL),
        Scope("channel", Ticket.Channel.PHONE),
        Scope("channel", Ticket.Channel.WALK_IN),
    ]


def assert_rollups_equal_live(desk) -> None:
    for period in PERIODS:
        for scope in scopes(desk):
            figures, _ = figures_with_previous(period=period, scope=scope)
            assert figures.card == report_card(live_surveys(period, scope)), (period, scope)
            (totals,) = totals_by_key(period=period, scope=scope, dim="all").values() or [None]
            if totals:
                assert health_as_live(totals) == live_health(period, scope), (period, scope)
            else:
                assert live_health(period, scope)["tickets_created"] == 0
                assert not live_surveys(period, scope).exists()
            for row in breakdown(period=period, scope=scope, dim="agent", labels={}):
                agent_surveys = live_surveys(period, scope).filter(agent_id=row.key or None)
                assert shown(row.figures.card) == shown(report_card(agent_surveys)), (period, scope, row.key)
            for row in breakdown(period=period, scope=scope, dim="priority", labels={}):
                expected = report_card(live_surveys(period, scope).filter(priority=row.key))
                assert shown(row.figures.card) == shown(expected)
            assert_channels_equal_live(period, scope)
        for row in breakdown(period=period, scope=Scope(), dim="team", labels={}):
            if row.key:
                live = live_health(period, Scope("team", row.key))
                health = row.figures.health
                assert (health.tickets_created, health.first_responded, health.resolved) == (
                    live["tickets_created"],
                    live["first_responded"],
                    live["resolved"],
                )
                assert health.first_response_rate == ratio(
                    live["first_response_met"], live["first_responded"]
                )
                assert health.resolution_rate == ratio(live["resolution_met"], live["resolved"])


def assert_channels_equal_live(period: Period, scope: Scope) -> None:
    """The breakdown by channel: each channel's grades and tickets, counted from the rows."""
    rows = {row.key: row for row in breakdown(period=period, scope=scope, dim="channel", labels={})}
    if scope.dim == "channel":
        assert rows == {}  # filtered to one channel, no breakdown by channel
        return
    starts, ends = period.bounds()
    tickets = scope.tickets(Ticket.objects.filter(created_at__gte=starts, created_at__lt=ends))
    surveys = live_surveys(period, scope)
    expected_channels = {
        *tickets.values_list("channel", flat=True),
        *surveys.values_list("ticket__channel", flat=True),
    }
    assert set(rows) == expected_channels, (period, scope)
    for channel, row in rows.items():
        card = report_card(surveys.filter(ticket_id__in=Ticket.objects.filter(channel=channel).values("pk")))
        assert shown(row.figures.card) == shown(card), (period, scope, channel)
        of_channel = [t for t in tickets if t.channel == channel]
        assert row.figures.health.tickets_created == len(of_channel), (period, scope, channel)
        assert row.figures.health.resolved == sum(t.status in ("resolved", "closed") for t in of_channel)


def shown(card) -> tuple:
    """What a breakdown row shows of a report card (it sums no more than that)."""
    return (
        card.invited,
        card.answered,
        card.distribution,
        card.gpa,
        card.loyalty_rate,
        card.victimized_rate,
        card.indifference_share,
        card.response_rate,
    )


def test_rollups_equal_the_live_figures_after_every_kind_of_change(desk):
    assert rollups_refresh() > 0
    assert not RollupPeriod.objects.filter(stale=True).exists()
    assert Rollup.objects.filter(span=Span.MONTH, start=date(2026, 10, 1)).exists()
    assert Rollup.objects.filter(span=Span.WEEK, start=date(2026, 10, 5)).exists()
    assert Rollup.objects.filter(span=Span.QUARTER, start=date(2026, 7, 1)).exists()
    assert_rollups_equal_live(desk)

    # A late answer, a reopened ticket and a customer who became a VIP change past days.
    waiting = Survey.objects.filter(answered_at__isnull=True, cancelled_at__isnull=True).first()
    survey_answer(survey=waiting, answers={"grade": "F"}, now=waiting.resolved_at + timedelta(days=2))
    reopened = Ticket.objects.filter(status="resolved").first()
    ticket_reopen(
        ticket=reopened,
        by=reopened.customer,
        reason="Broken again",
        now=reopened.resolved_at + timedelta(hours=1),
    )
    customer_category_set(
        user=desk["customers"][1], by=desk["manager"], category=CustomerCategory.VIP, reason="Promoted"
    )
    # A graded ticket logged as a call that came by e-mail: its survey's day changes too.
    corrected = Survey.objects.filter(answered_at__isnull=False, ticket__channel="phone").first().ticket
    corrected.channel = Ticket.Channel.EMAIL
    corrected.save(update_fields=["channel"])
    assert RollupPeriod.objects.filter(stale=True, span=Span.DAY).exists()

    rollups_refresh()

    assert_rollups_equal_live(desk)


def test_a_corrected_channel_moves_its_grade_to_the_other_channel(desk):
    rollups_refresh()
    survey = (
        Survey.objects.filter(answered_at__isnull=False, ticket__channel=Ticket.Channel.PHONE)
        .exclude(resolved_at__date=F("ticket__created_at__date"))
        .select_related("ticket")
        .first()
    )
    resolved_day = timezone.localdate(survey.resolved_at)
    period = Period(resolved_day, resolved_day)

    ticket = survey.ticket
    ticket.channel = Ticket.Channel.EMAIL
    ticket.save(update_fields=["channel"])

    assert RollupPeriod.objects.get(span=Span.DAY, start=resolved_day).stale
    rollups_refresh()
    by_channel = totals_by_key(period=period, scope=Scope(), dim="channel")
    live = live_surveys(period, Scope()).filter(answered_at__isnull=False)
    assert by_channel["email"]["answered"] == live.filter(ticket__channel="email").count() > 0
    assert (
        by_channel.get("phone", {"answered": 0})["answered"] == live.filter(ticket__channel="phone").count()
    )
    assert_rollups_equal_live(desk)


def test_the_channels_migration_has_every_day_built_again_with_the_channel(desk):
    rollups_refresh()
    # As the rollups stood before the channel: no slice of it, in any day, week, month or quarter.
    Rollup.objects.filter(Q(dim="channel") | Q(filter_dim="channel")).delete()
    migration = importlib.import_module("reports.migrations.0006_channel_slices_stale")

    migration.days_mark_stale(django_apps, None)

    assert not RollupPeriod.objects.filter(span=Span.DAY, stale=False).exists()
    assert (
        not RollupPeriod.objects.exclude(span=Span.DAY).filter(stale=True).exists()
    )  # they follow their days
    rollups_refresh()
    assert Rollup.objects.filter(span=Span.QUARTER, start=date(2026, 7, 1), dim="channel").exists()
    assert_rollups_equal_live(desk)


def test_a_refresh_with_nothing_stale_changes_nothing(desk):
    rollups_refresh()
    before = list(Rollup.objects.order_by("pk").values())

    assert rollups_refresh() == 0
    assert list(Rollup.objects.order_by("pk").values()) == before


def test_the_weekly_trend_adds_up_to_the_weeks(desk):
    rollups_refresh()
    weeks = weekly_trend(today=TODAY, scope=Scope())

    assert len(weeks) == 26
    assert weeks[-1].week == date(2026, 11, 2)  # a Monday: this week so far
    for week in weeks:
        expected = report_card(live_surveys(Period(week.week, week.week + timedelta(days=6)), Scope()))
        assert week.figures.card == expected


def test_the_trend_of_a_past_period_stops_at_its_last_day(desk):
    rollups_refresh()
    wednesday = date(2026, 10, 7)

    weeks = weekly_trend(today=wednesday, scope=Scope())

    whole_week = report_card(live_surveys(Period(date(2026, 10, 5), date(2026, 10, 11)), Scope()))
    assert weeks[-1].week == date(2026, 10, 5)
    assert weeks[-1].figures.card != whole_week  # the data has surveys later that week
    assert weeks[-1].figures.card == report_card(live_surveys(Period(date(2026, 10, 5), wednesday), Scope()))
    assert weeks[-2].figures.card == report_card(
        live_surveys(Period(date(2026, 9, 28), date(2026, 10, 4)), Scope())
    )


def test_health_medians_come_from_the_buckets():
    totals = dict.fromkeys(
        ("tickets_created", "first_responded", "first_response_met", "resolved", "resolution_met"), 0
    )
    first = [3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]  # three within 15 min, one within 30: median within 15 min
    resolution = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2]  # the middle one is over a week
    totals |= {f"first_response_b{n}": v for n, v in enumerate(first)}
    totals |= {f"resolution_b{n}": v for n, v in enumerate(resolution)}

    health = Health.from_totals(totals)

    assert (health.first_response_median.above, health.first_response_median.up_to) == (0, 15)
    assert (health.resolution_median.above, health.resolution_median.up_to) == (10080, None)
