"""The managers' dashboard, an agent's own report card, the rows behind a figure, CSV exports."""

import csv

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.permissions import agent_required, manager_required
from core.pagination import query_without, uncounted_page
from core.params import id_param
from customers.models import CustomerCategory
from surveys.models import Grade
from tickets.models import Priority, Ticket

from . import selectors, totals
from .forms import dashboard_filter_form
from .selectors import BREAKDOWNS
from .totals import Figures, Scope

DRILL_PAGE_SIZE = 50
GRADES_PAGE_SIZE = 25
KUDOS_SHOWN = 5


@manager_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, teams, services = dashboard_filter_form(request.GET)
    board = selectors.Dashboard.for_filter(form, teams=teams, services=services, now=timezone.now())
    context = {
        "form": form,
        "board": board,
        "breakdown_titles": BREAKDOWNS,
        "query": _query(request),
        "rollups_version": totals.rollups_version(),
        "cache_seconds": settings.REPORTS_CACHE_SECONDS,
    }
    return render(request, "reports/dashboard.html", context)


@manager_required
@require_GET
def agents(request: HttpRequest) -> HttpResponse:
    """Every agent's figures for the dashboard's period and filter: the full agents' table."""
    form, period, scope = _drill_filters(request)
    rows = selectors.breakdown(period=period, scope=scope, dim="agent")
    context = {"form": form, "period": period, "rows": rows, "query": _query(request)}
    return render(request, "reports/agents.html", context)


@agent_required
@require_GET
def agent_card_mine(request: HttpRequest) -> HttpResponse:
    return _agent_card(request, request.user, own=True)


@manager_required
@require_GET
def agent_card(request: HttpRequest, pk: int) -> HttpResponse:
    agent = get_object_or_404(User, pk=pk, is_active=True)
    return _agent_card(request, agent, own=False)


@manager_required
@require_GET
def responses(request: HttpRequest) -> HttpResponse:
    """The answered surveys behind a figure: a grade, a breakdown row, or the whole card."""
    form, period, scope = _drill_filters(request)
    dim, key, grade = (request.GET.get(name, "") for name in ("dim", "key", "grade"))
    if dim not in ("", *BREAKDOWNS) or grade not in ("", *Grade.values):
        raise Http404
    if dim in ("agent", "team", "service") and key and id_param(key) is None:
        raise Http404
    fixed_keys = {
        "category": CustomerCategory.values,
        "priority": Priority.values,
        "channel": Ticket.Channel.values,
    }
    if key and key not in fixed_keys.get(dim, [key]):
        raise Http404
    surveys = selectors.surveys_behind(period=period, scope=scope, dim=dim, key=key, grade=grade)
    page = uncounted_page(surveys, request.GET.get("page"), DRILL_PAGE_SIZE)
    return render(
        request,
        "reports/responses.html",
        {"form": form, "period": period, "grade": grade, "page": page, "surveys": page.object_list,
         "query": query_without(request, "page")},
    )  # fmt: skip


@manager_required
@require_GET
def tickets(request: HttpRequest) -> HttpResponse:
    """The tickets created in the period behind a health figure (e.g. first answers late)."""
    form, period, scope = _drill_filters(request)
    measure = request.GET.get("measure", "")
    if measure not in selectors.TICKET_MEASURES:
        raise Http404
    rows = selectors.tickets_behind(period=period, scope=scope, measure=measure)
    page = uncounted_page(rows, request.GET.get("page"), DRILL_PAGE_SIZE)
    return render(
        request,
        "reports/tickets.html",
        {"form": form, "period": period, "measure_label": selectors.TICKET_MEASURES[measure], "page": page,
         "tickets": page.object_list, "query": query_without(request, "page")},
    )  # fmt: skip


@manager_required
@require_GET
def export(request: HttpRequest, table: str) -> HttpResponse:
    """A dashboard table as CSV, for the filters on screen."""
    if table not in (*BREAKDOWNS, "trend"):
        raise Http404
    form, teams, services = dashboard_filter_form(request.GET)
    period, scope = form.chosen_period(), Scope.parse(form.chosen_scope())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="report-{table}-{period.first}-{period.last}.csv"'
    )
    writer = csv.writer(response)
    if table == "trend":
        writer.writerow(["week starting", *FIGURE_COLUMNS])
        for week in totals.weekly_trend(today=period.last, scope=scope):
            writer.writerow([week.week.isoformat(), *_figure_cells(week.figures)])
        return response
    labels = selectors.dashboard_labels(teams, services).get(table)
    writer.writerow([BREAKDOWNS[table].removeprefix("By ").capitalize(), *FIGURE_COLUMNS])
    for row in selectors.breakdown(period=period, scope=scope, dim=table, labels=labels):
        writer.writerow([_csv_safe(row.label), *_figure_cells(row.figures)])
    return response


FIGURE_COLUMNS = [
    "responses", "offered", "GPA", "A", "B", "C", "D", "F", "loyal (A+B) %", "victimized (F) %",
    "indifference %", "response rate %", "tickets created", "first answer within target %",
    "resolution within target %",
]  # fmt: skip


def _figure_cells(figures: Figures) -> list:
    card, health = figures.card, figures.health
    percent = lambda share: "" if share is None else f"{share * 100:.1f}"  # noqa: E731
    return [
        card.answered, card.invited, "" if card.gpa is None else card.gpa, *card.distribution.values(),
        percent(card.loyalty_rate), percent(card.victimized_rate), percent(card.indifference_share),
        percent(card.response_rate), health.tickets_created, percent(health.first_response_rate),
        percent(health.resolution_rate),
    ]  # fmt: skip


def _csv_safe(text: str) -> str:
    """A name a spreadsheet would run as a formula (=, +, -, @) is quoted as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _agent_card(request: HttpRequest, agent: User, *, own: bool) -> HttpResponse:
    form, _teams, _services = dashboard_filter_form(request.GET)
    period = form.chosen_period()
    figures, previous = totals.figures_with_previous(
        period=period, scope=Scope(), dim="agent", key=str(agent.pk)
    )
    context = {
        "form": form,
        "agent": agent,
        "own": own,
        "period": period,
        "figures": figures,
        "previous": previous,
        "trend": totals.weekly_trend(today=period.last, scope=Scope(), dim="agent", key=str(agent.pk)),
        "query": _query(request),
        # Every grade and comment behind the card (what was "My grades"), newest first.
        "grades_page": uncounted_page(
            selectors.agent_grades(agent=agent, period=period), request.GET.get("page"), GRADES_PAGE_SIZE
        ),
        "kudos": list(selectors.agent_kudos(agent=agent, period=period)[:KUDOS_SHOWN]),
    }
    return render(request, "reports/agent_card.html", context)


def _drill_filters(request: HttpRequest):
    form, _teams, _services = dashboard_filter_form(request.GET)
    return form, form.chosen_period(), Scope.parse(form.chosen_scope())


def _query(request: HttpRequest) -> str:
    """The filters as a query string, carried by drill-down and export links."""
    return query_without(request, "page")
