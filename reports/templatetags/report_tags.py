from decimal import Decimal

from django import template
from django.utils.html import format_html

from reports.selectors import DurationMedian, TrendWeek

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
        return format_html('<span class="change text-body-secondary">{}</span>', "no earlier figures")
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


@register.simple_tag
def trend_points(weeks: list[TrendWeek], metric: str) -> str:
    """SVG polyline points for one figure over the weeks; weeks nobody graded leave a gap
    (returned as separate runs joined by '|', which the template draws as separate lines)."""
    top = 4 if metric == "gpa" else 1
    step = CHART_WIDTH / max(len(weeks) - 1, 1)
    runs, run = [], []
    for n, week in enumerate(weeks):
        value = getattr(week.figures.card, metric)
        if value is None:
            if run:
                runs.append(run)
            run = []
            continue
        y = CHART_HEIGHT - float(value) / top * CHART_HEIGHT
        run.append(f"{n * step:.1f},{y:.1f}")
    if run:
        runs.append(run)
    return "|".join(" ".join(points) for points in runs)


@register.filter
def split_runs(points: str) -> list[str]:
    return [run for run in points.split("|") if run]


def _minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 1440:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} day{'s' if minutes >= 2880 else ''}"
