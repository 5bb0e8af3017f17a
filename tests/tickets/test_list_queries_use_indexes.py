"""Every list query of the desk and the portal can be served by an index (Postgres only: the
indexes that make them fast at a million tickets are Postgres partial and GIN indexes)."""

import pytest
from django.db import connection
from django.utils import timezone

from tickets import selectors
from tickets.selectors import QueueFilters

from .factories import TeamFactory, TicketFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes checked are Postgres ones"),
]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # With sequential scans priced out, a Seq Scan left in the plan means no index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "filters",
    [
        QueueFilters(),
        QueueFilters(view="mine"),
        QueueFilters(view="unassigned"),
        QueueFilters(priority="p1", sort="priority"),
        QueueFilters(status="closed", sort="newest"),
        QueueFilters(q="printer"),
        QueueFilters(q="printer", status="all"),
        QueueFilters(status="all", sort="newest"),
    ],
    ids=["default", "mine", "unassigned", "priority", "closed", "search", "search-all", "all-newest"],
)
def test_queue_queries_are_served_by_an_index(agent, filters):
    TicketFactory.create_batch(3, assignee=agent)

    plan = _plan(selectors.ticket_queue_for_agent(agent=agent, filters=filters, now=timezone.now())[:25])

    assert "Seq Scan on tickets_ticket" not in plan, plan


def test_team_filter_is_served_by_an_index(agent):
    team = TeamFactory()
    TicketFactory(team=team)

    filters = QueueFilters(team=team)
    plan = _plan(selectors.ticket_queue_for_agent(agent=agent, filters=filters, now=timezone.now())[:25])

    assert "Seq Scan on tickets_ticket" not in plan, plan


def test_my_requests_is_served_by_an_index(customer):
    TicketFactory.create_batch(3, customer=customer)

    plan = _plan(selectors.ticket_list_for_customer(customer=customer)[:25])

    assert "Seq Scan on tickets_ticket" not in plan, plan
