from dataclasses import dataclass
from decimal import Decimal
from html import escape
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from reports.selectors import BreakdownRow
from reports.totals import DurationMedian, TrendWeek
from surveys.templatetags.survey_tags import percent, percent_number

register = template.Library()

# The trend charts' drawing area (SVG user units).
CHART_WIDTH, CHART_HEIGHT = 520, 160


@register.simple_tag
def change(current: Decimal | None, previous: Decimal | None, kind: str = "share", better: str = "up") -> str:
    """The change on the previous period: an arrow, the amount, and words for screen readers.

    kind "share": percentage points; "gpa" or "average": the number itself. `better` says
    which way is good (victimized: down), which decides the colour, never the only cue.
    """
    if current is None or previous is None:
        # Nothing to compare: the card says "no earlier figures" once, not under every figure.
        return ""
    delta = current - previous
    amount = f"{abs(delta) * 100:.1f} pts" if kind == "share" else f"{abs(delta):.2f}"
    if not delta:
        return format_html('<span class="change text-body-secondary">= {}</span>', "same as before")
    up = delta > 0
    good = up == (better == "up")
    return format_html(
        '<span class="change {}"><span aria-hidden="true">{}</span> {}'
        '<span class="visually-hidden"> {} on the previous period</span></span>',
        "change-better" if good else "change-worse",
        "▲" if up else "▼",
        amount,
        "up" if up else "down",
    )


@register.filter
def duration_range(median: DurationMedian | None) -> str:
    """'1–2 h', 'under 15 min', 'over 7 days'; a dash when nothing was measured."""
    if median is None:
        return "—"
    if median.up_to is None:
        return f"over {_minutes(median.above)}"
    if not median.above:
        return f"under {_minutes(median.up_to)}"
    return f"{_minutes(median.above)} – {_minutes(median.up_to)}"


# The trend charts' plot area inside their viewBox (0 0 CHART_VIEW_WIDTH CHART_VIEW_HEIGHT): room
# on the left for the scale and below for the weeks.
CHART_LEFT, CHART_TOP = 44, 8
CHART_VIEW_WIDTH, CHART_VIEW_HEIGHT = CHART_LEFT + CHART_WIDTH + 16, CHART_TOP + CHART_HEIGHT + 40
# The scale of each kind of figure: its top, and the ticks labelled on the left.
_SCALES = {
    "gpa": (4, [(n, str(n)) for n in range(5)]),
    "share": (1, [(n / 4, f"{n * 25}%") for n in range(5)]),
}
WEEK_LABELS = 6  # at most this many weeks are named under a chart, evenly spread


@dataclass(frozen=True)
class TrendChart:
    """One trend chart, ready to draw: lines (by figure, each a list of runs of "x,y" points: a
    week nobody graded breaks the line), the scale on the left and the weeks under it."""

    weeks: list[TrendWeek]
    lines: list[tuple[str, list[str]]]  # (figure, runs)
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_ticks: list[tuple[float, str]]  # (x, label)
    # The frame, in SVG user units.
    left: int = CHART_LEFT
    top: int = CHART_TOP
    right: int = CHART_LEFT + CHART_WIDTH
    bottom: int = CHART_TOP + CHART_HEIGHT
    view_width: int = CHART_VIEW_WIDTH
    view_height: int = CHART_VIEW_HEIGHT

    @property
    def scale_x(self) -> int:
        return self.left - 6

    @property
    def tick_end(self) -> int:
        return self.bottom + 4

    @property
    def week_y(self) -> int:
        return self.bottom + 18

    @property
    def title_y(self) -> int:
        return self.view_height - 4


def trend_from_first_answers(weeks: list[TrendWeek]) -> list[TrendWeek]:
    """The weeks from the first one anybody graded: earlier empty weeks say nothing."""
    for n, week in enumerate(weeks):
        if week.figures.card.answered:
            return weeks[n:]
    return []


@register.simple_tag
def trend_chart(weeks: list[TrendWeek], scale: str, *metrics: str) -> TrendChart:
    """The chart of these figures over the weeks from the first graded one, spread over the
    whole width, with the scale (`scale`: "gpa" or "share") and the weeks' dates labelled."""
    weeks = trend_from_first_answers(weeks)
    top, ticks = _SCALES[scale]
    bottom = CHART_TOP + CHART_HEIGHT

    def x(n: int) -> float:
        if len(weeks) == 1:
            return CHART_LEFT + CHART_WIDTH / 2
        return CHART_LEFT + n * CHART_WIDTH / (len(weeks) - 1)

    def y(value) -> float:
        return bottom - float(value) / top * CHART_HEIGHT

    lines = []
    for metric in metrics:
        runs, run = [], []
        for n, week in enumerate(weeks):
            value = getattr(week.figures.card, metric)
            if value is None:
                if run:
                    runs.append(" ".join(run))
                run = []
                continue
            run.append(f"{x(n):.1f},{y(value):.1f}")
        if run:
            runs.append(" ".join(run))
        lines.append((metric, runs))
    every = max(1, -(-len(weeks) // WEEK_LABELS))  # ceiling division
    named = range(0, len(weeks), every)
    return TrendChart(
        weeks=weeks,
        lines=lines,
        y_ticks=[(round(y(value), 1), label) for value, label in ticks],
        x_ticks=[(round(x(n), 1), f"{weeks[n].week.day} {weeks[n].week:%b}") for n in named],
    )


def _minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 1440:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} day{'s' if minutes >= 2880 else ''}"


# A breakdown row: name, responses, GPA with a bar, loyal, victimized, answered, tickets, first
# answer and resolution on time, each cell with its sort value. Built here, not in the template:
# the agents' table can run to hundreds of rows, and this costs a tenth as much. Only the name
# and the query come from users and are escaped; every other value is a number formatted here.
_BREAKDOWN_ROW = (
    '<tr><th scope="row" class="fw-normal">{name}</th>'
    '<td class="text-end" data-value="{answered}">{answered_link}</td>'
    '<td class="text-end text-nowrap" data-value="{gpa_value}">{gpa}</td>'
    '<td class="text-end" data-value="{loyal_value}">{loyal}</td>'
    '<td class="text-end" data-value="{victimized_value}">{victimized}</td>'
    '<td class="text-end" data-value="{response_value}">{response}</td>'
    '<td class="text-end" data-value="{tickets}">{tickets}</td>'
    '<td class="text-end" data-value="{first_response_value}">{first_response}</td>'
    '<td class="text-end" data-value="{resolution_value}">{resolution}</td></tr>'
)
_GPA_BAR = (
    '{gpa} <svg class="gpa-bar" viewBox="0 0 40 8" aria-hidden="true" focusable="false">'
    '<rect width="40" height="8" class="gpa-bar-track" /><rect width="{width}" height="8" /></svg>'
)


@register.simple_tag
def breakdown_rows(rows: list[BreakdownRow], dim: str, query: str) -> SafeString:
    """The rows of a breakdown table; the agent's name opens their card, the responses the surveys."""
    query = escape(query)
    responses_url = f"{reverse('reports:responses')}?{query}&amp;dim={dim}&amp;key="
    # Reversed once with a stand-in id rather than once a row: a row costs a few microseconds.
    agent_card_url = reverse("reports:agent_card", args=[_AGENT_ID_STAND_IN])
    # Safe: the name and the query are escaped; everything else is a number formatted here.
    return mark_safe(
        "\n".join(_breakdown_row(row, dim, query, responses_url, agent_card_url) for row in rows)
    )


_AGENT_ID_STAND_IN = 987654321


def _breakdown_row(row: BreakdownRow, dim: str, query: str, responses_url: str, agent_card_url: str) -> str:
    card, health = row.figures.card, row.figures.health
    name = escape(row.label)
    if dim == "agent" and row.key:
        url = agent_card_url.replace(str(_AGENT_ID_STAND_IN), str(int(row.key)))
        name = f'<a href="{url}?{query}">{name}</a>'
    answered_link = f'<a href="{responses_url}{quote(row.key)}">{card.answered}</a>' if card.answered else "0"
    return _BREAKDOWN_ROW.format(
        name=name,
        answered=card.answered,
        answered_link=answered_link,
        gpa_value=-1 if card.gpa is None else card.gpa,
        gpa="—" if card.gpa is None else _GPA_BAR.format(gpa=card.gpa, width=round(card.gpa * 10)),
        loyal_value=percent_number(card.loyalty_rate),
        loyal=percent(card.loyalty_rate),
        victimized_value=percent_number(card.victimized_rate),
        victimized=percent(card.victimized_rate),
        response_value=percent_number(card.response_rate),
        response=percent(card.response_rate),
        tickets=health.tickets_created,
        first_response_value=percent_number(health.first_response_rate),
        first_response=percent(health.first_response_rate),
        resolution_value=percent_number(health.resolution_rate),
        resolution=percent(health.resolution_rate),
    )
