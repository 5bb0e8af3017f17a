"""The staff meeting where the survey results are discussed, the improvements it decides on, and
the agents it recognises (seed 004: "openly discussed in staff meetings, and used to plan
improvements in products, processes, and staff training")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reports.periods import Period


class StaffMeeting(models.Model):
    """A meeting held over the figures of a period."""

    period_first = models.DateField(verbose_name=_("period from"))
    period_last = models.DateField(verbose_name=_("period to"))
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_first__lte=models.F("period_last")), name="meetings_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Staff meeting of {self.held_on:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", kwargs={"pk": self.pk})

    @property
    def period(self) -> Period:
        return Period(self.period_first, self.period_last)


class Action(models.Model):
    """An improvement a meeting decided on: who does it by when, what it rests on, what was done."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        PROCESS = "process", _("Process")
        TRAINING = "training", _("Training")
        DOCUMENTATION = "documentation", _("Documentation")

    meeting = models.ForeignKey(StaffMeeting, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=16, choices=Kind)
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    # The evidence: the catalog service it improves (its grades are compared once it is closed),
    # and the requests that showed the problem.
    service = models.ForeignKey(
        "tickets.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tickets = models.ManyToManyField("tickets.Ticket", blank=True, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    what_was_done = models.TextField(blank=True)
    # The due date a reminder was last sent for: one reminder per due date.
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(what_was_done=""),
                name="meetings_closed_action_says_what_was_done",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(closed_at__isnull=True), name="meetings_action_open_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Nomination(models.Model):
    """An agent put forward for the quarter's award, for an A graded with a comment (kudos)."""

    quarter = models.DateField(help_text=_("The quarter's first day."))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="+")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["quarter", "agent", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quarter", "survey"], name="meetings_nominated_once_a_quarter"),
        ]

    def __str__(self) -> str:
        return f"Nomination of {self.agent} for {self.quarter:%Y-%m}"


class MeetingEvent(models.Model):
    """The audit trail: who changed what of a meeting, its actions and nominations, and when."""

    class Kind(models.TextChoices):
        HELD = "held", _("Meeting recorded")
        NOTES = "notes", _("Notes changed")
        ACTION_ADDED = "action_added", _("Action added")
        ACTION_CLOSED = "action_closed", _("Action closed")
        ACTION_REMINDED = "reminded", _("Owner reminded")
        NOMINATED = "nominated", _("Agent nominated")
        NOMINATION_WITHDRAWN = "withdrawn", _("Nomination withdrawn")

    meeting = models.ForeignKey(StaffMeeting, on_delete=models.CASCADE, null=True, related_name="events")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor or 'the desk'}"
