"""A request from a customer to IT, and the rules about it that every page, task and report reads."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..querysets import TicketQuerySet
from .catalog import Service, Team
from .policies import Impact, Priority, Urgency

# The text-search configuration of the full-text document and of every query against it.
SEARCH_CONFIG = "english"


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# The status sets every rule reads (the queue, the SLA clock, follow-ups, reports, the partial
# indexes): each named for what it holds. Lists, as the indexes' conditions store them.
UNRESOLVED_STATUSES = [TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING]
# IT owes the next move: the SLA clock runs and follow-ups fall due (not while pending).
AWAITING_IT_STATUSES = [TicketStatus.NEW, TicketStatus.OPEN]
RESOLVED_STATUSES = [TicketStatus.RESOLVED, TicketStatus.CLOSED]
_STATUS_LABELS = dict(TicketStatus.choices)
_PRIORITY_LABELS = dict(Priority.choices)


@dataclass(frozen=True)
class SlaState:
    """Where a ticket stands against its next SLA target."""

    state: str  # on_track, at_risk, breached, paused, met, missed
    label: str
    target: str
    due: datetime


class Ticket(models.Model):
    """One request from a customer to IT, from submission to closure."""

    Status = TicketStatus

    class Resolution(models.TextChoices):
        FIXED = "fixed", _("Done")
        REDIRECTED = "redirected", _("Redirected with guidance")
        FULFILLED_BY_IT = "fulfilled", _("Done by IT although out of scope")
        NO_ANSWER = "no_answer", _("Closed for want of an answer from the customer")

    class Channel(models.TextChoices):
        """How the request reached IT."""

        PORTAL = "portal", _("Portal")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("In person")

    class FollowUp(models.TextChoices):
        """What the follow-up machinery does next for this ticket, at `followup_due_at`."""

        NUDGE = "nudge", _("Nudge the assignee: the customer is due an update")
        UPDATE = "update", _("Send the customer an automatic status update")
        REMIND = "remind", _("Remind the customer IT is waiting for them")
        RESOLVE = "resolve", _("Resolve: the customer did not answer")

    class SlaAlert(models.TextChoices):
        """The next SLA alert, at `sla_alert_due_at`: a warning to the assignee, or the breach."""

        WARN_FIRST = "warn_first", _("First answer: warn")
        BREACH_FIRST = "breach_first", _("First answer: breached")
        WARN_RESOLUTION = "warn_resol", _("Resolution: warn")
        BREACH_RESOLUTION = "breach_resol", _("Resolution: breached")

    class RootCause(models.TextChoices):
        DID_NOT_KNOW_PROCESS = "did_not_know", _("Did not know the official process")
        PROCESS_BROKEN = "process_broken", _("Process cumbersome or broken")
        BYPASSED_PROCESS = "bypassed", _("Chose to bypass the process")
        # Not every request is a bypass: a fault in IT's own service belongs with IT.
        IT_WORK = "it_work", _("IT's own work: the right place to ask")

    # The workflow, in one place: where each status may go next.
    TRANSITIONS = {
        Status.NEW: {Status.OPEN, Status.PENDING, Status.RESOLVED},
        Status.OPEN: {Status.PENDING, Status.RESOLVED},
        Status.PENDING: {Status.OPEN, Status.RESOLVED},
        Status.RESOLVED: {Status.OPEN, Status.CLOSED},
        Status.CLOSED: set(),
    }
    UNRESOLVED_STATUSES = UNRESOLVED_STATUSES
    AWAITING_IT_STATUSES = AWAITING_IT_STATUSES
    RESOLVED_STATUSES = RESOLVED_STATUSES

    title = models.CharField(max_length=200)
    description = models.TextField(help_text=_("Markdown."))
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="tickets")
    urgency = models.CharField(max_length=10, choices=Urgency)
    impact = models.CharField(max_length=10, choices=Impact)
    priority = models.CharField(max_length=2, choices=Priority)
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW)
    # db_default too: rows written in bulk (the benchmark's COPY) get it from the database.
    channel = models.CharField(
        max_length=10, choices=Channel, default=Channel.PORTAL, db_default=Channel.PORTAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # SLA clock: due times are stored and moved by the services on every state change.
    first_response_due_at = models.DateTimeField()
    resolution_due_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused_minutes = models.PositiveIntegerField(
        default=0, help_text=_("Working minutes the clock has stood still so far (pending or resolved).")
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Set when the customer reopens it, cleared when it is resolved again: the queue's "Reopened".
    reopened_at = models.DateTimeField(null=True, blank=True)
    # The official process the request was about, when IT pointed to one (redirect, teach,
    # escalate the process): what the process register counts.
    cited_process = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="citing_tickets"
    )
    resolution = models.CharField(max_length=12, choices=Resolution, blank=True)
    root_cause = models.CharField(max_length=16, choices=RootCause, blank=True)
    # Title, description and conversation as one weighted document for Postgres full-text search
    # (GIN-indexed by migration 0002); kept up to date by the services, unused on SQLite.
    search_document = SearchVectorField(null=True, editable=False)
    # Proactive follow-ups and SLA alerts are scheduled here and sent by a periodic scan (see
    # tickets/services/followups.py); `*_enqueued_at` says a task for the due moment is already on its way.
    followup_due_at = models.DateTimeField(null=True, blank=True)
    followup_stage = models.CharField(max_length=8, choices=FollowUp, blank=True)
    followup_enqueued_at = models.DateTimeField(null=True, blank=True)
    sla_alert_due_at = models.DateTimeField(null=True, blank=True)
    sla_alert_stage = models.CharField(max_length=12, choices=SlaAlert, blank=True)
    sla_alert_enqueued_at = models.DateTimeField(null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="tickets_customer_recent_idx"),
            models.Index(fields=["status", "-created_at"], name="tickets_status_recent_idx"),
            models.Index(fields=["assignee", "status"], name="tickets_assignee_status_idx"),
            # The dashboards' rollups read a day's tickets at a time; the drill-down, a period's.
            models.Index(fields=["created_at"], name="tickets_created_idx"),
            # The dashboard's backlog counts open tickets by age and breach from this index alone.
            models.Index(
                fields=["created_at"],
                # status too: Postgres wants every column the query names for an index-only scan.
                include=[
                    "id",
                    "status",
                    "first_responded_at",
                    "first_response_due_at",
                    "resolution_due_at",
                    "sla_paused_at",
                    "team",
                    "service",
                    "customer",
                ],
                condition=Q(status__in=UNRESOLVED_STATUSES),
                name="tickets_open_backlog_idx",
            ),
            # The queue lists open tickets by due time, whole or by team, assignee or priority.
            models.Index(
                fields=["resolution_due_at"],
                condition=Q(status__in=UNRESOLVED_STATUSES),
                name="tickets_open_due_idx",
            ),
            models.Index(
                fields=["team", "resolution_due_at"],
                condition=Q(status__in=UNRESOLVED_STATUSES),
                name="tickets_open_team_due_idx",
            ),
            models.Index(
                fields=["assignee", "resolution_due_at"],
                condition=Q(status__in=UNRESOLVED_STATUSES),
                name="tickets_open_assignee_due_idx",
            ),
            models.Index(
                fields=["priority", "resolution_due_at"],
                condition=Q(status__in=UNRESOLVED_STATUSES),
                name="tickets_open_priority_due_idx",
            ),
            # The follow-up scans read only what is scheduled: their cost follows what is due.
            models.Index(
                fields=["followup_due_at"],
                condition=Q(followup_due_at__isnull=False),
                name="tickets_followup_due_idx",
            ),
            models.Index(
                fields=["sla_alert_due_at"],
                condition=Q(sla_alert_due_at__isnull=False),
                name="tickets_sla_alert_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=RESOLVED_STATUSES) | Q(resolved_at__isnull=False),
                name="tickets_resolved_has_resolved_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=TicketStatus.PENDING) | Q(sla_paused_at__isnull=False),
                name="tickets_pending_pauses_sla",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", kwargs={"pk": self.pk})

    # Django's get_FOO_display() builds a dict of every choice on each call (8 µs); the queue
    # shows a status and a priority twice a row. Same answers, from a dict built once.
    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))

    def get_priority_display(self) -> str:
        return str(_PRIORITY_LABELS.get(self.priority, self.priority))

    @property
    def reference(self) -> str:
        return f"SD-{self.pk}"

    @property
    def is_closed(self) -> bool:
        """Closed for good: nothing more is added to it (replies, people copied)."""
        return self.status == self.Status.CLOSED

    @property
    def is_unresolved(self) -> bool:
        """Not resolved yet (new, open or pending): what "open" means on every page."""
        return self.status in UNRESOLVED_STATUSES

    def sla_state(self, now: datetime) -> SlaState:
        """Where the ticket stands against its next SLA target, from its own fields (no query):
        the first answer until there is one, then the resolution. The one definition of
        "breached" and "at risk" for a single ticket; `TicketQuerySet.sla_due_before` is the same
        rule for many."""
        if self.resolved_at:
            met = self.resolved_at <= self.resolution_due_at
            return SlaState(
                "met" if met else "missed", "Met" if met else "Missed", "Resolution", self.resolution_due_at
            )
        if self.first_responded_at is None:
            target, due = "First answer", self.first_response_due_at
        else:
            target, due = "Resolution", self.resolution_due_at
        if self.sla_paused_at:
            return SlaState("paused", "On hold", target, due)
        if due < now:
            return SlaState("breached", "Breached", target, due)
        if due < now + timedelta(hours=settings.SLA_AT_RISK_HOURS):
            return SlaState("at_risk", "At risk", target, due)
        return SlaState("on_track", "On track", target, due)

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def reopen_until(self) -> datetime | None:
        """Until when the customer may reopen it (resolved tickets only)."""
        if self.status != self.Status.RESOLVED:
            return None
        return self.resolved_at + timedelta(days=settings.TICKET_REOPEN_DAYS)
