"""Daily and monthly rollups of the report card and the service's health, kept by Celery.

A dashboard over two years and a million tickets cannot aggregate live in tens of milliseconds,
so each day's figures are summed once per *slice*: an optional filter (team, service or customer
category) crossed with a breakdown (everyone, or by agent, team, service, category, priority).
Weeks (Monday to Sunday) and months are the sums of their days, quarters the sums of their
months. Every column is a plain sum, so any period adds up from its whole quarters, months and
weeks and the days left, and figures computed from sums equal the live ones.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from surveys.figures import TOTAL_NAMES

# First answer and resolution times are counted into these buckets (upper bounds, in minutes;
# the last bucket is open): medians come from sums of bucket counts, to within a bucket.
DURATION_BUCKETS = (15, 30, 60, 120, 240, 480, 1440, 2880, 5760, 10080)
BUCKET_COUNT = len(DURATION_BUCKETS) + 1

TICKET_TOTAL_NAMES = (
    "tickets_created",
    "first_responded",
    "first_response_met",
    "resolved",
    "resolution_met",
    *(f"first_response_b{n}" for n in range(BUCKET_COUNT)),
    *(f"resolution_b{n}" for n in range(BUCKET_COUNT)),
)
ROLLUP_TOTAL_NAMES = (*TOTAL_NAMES, *TICKET_TOTAL_NAMES)


class Span(models.TextChoices):
    DAY = "d", _("Day")
    WEEK = "w", _("Week")
    MONTH = "m", _("Month")
    QUARTER = "q", _("Quarter")


class Rollup(models.Model):
    """The totals of one slice of one day or month."""

    span = models.CharField(max_length=1, choices=Span)
    start = models.DateField(help_text=_("The day, or the first day of the week (Monday), month or quarter."))
    filter_dim = models.CharField(max_length=8, blank=True, help_text=_("Empty: no filter."))
    filter_key = models.CharField(max_length=24, blank=True)
    dim = models.CharField(max_length=8, help_text=_("The breakdown: 'all' for everyone."))
    key = models.CharField(max_length=24, blank=True, help_text=_("Empty: nobody (e.g. no agent)."))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["span", "start", "filter_dim", "filter_key", "dim", "key"],
                name="reports_rollup_slice",
            )
        ]
        indexes = [
            models.Index(
                fields=["filter_dim", "filter_key", "dim", "span", "start"], name="reports_rollup_read_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.span} {self.start} {self.filter_dim}={self.filter_key} {self.dim}={self.key}"


for _name in ROLLUP_TOTAL_NAMES:
    Rollup.add_to_class(_name, models.PositiveIntegerField(default=0))


class RollupPeriod(models.Model):
    """A day or month whose rollups exist; `stale` until they are rebuilt after a change."""

    span = models.CharField(max_length=1, choices=Span)
    start = models.DateField()
    stale = models.BooleanField(default=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["span", "start"], name="reports_rollupperiod_unique")]
        indexes = [
            models.Index(fields=["span", "start"], condition=Q(stale=True), name="reports_period_stale_idx")
        ]

    def __str__(self) -> str:
        return f"{self.span} {self.start}{' (stale)' if self.stale else ''}"
