import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.models import CustomerCategory

from .querysets import TicketQuerySet


class Team(models.Model):
    """A group of agents that owns a kind of work (service desk, desktop, network…)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A catalog entry: what IT does, or what it does not do and who does it instead."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.CharField(
        max_length=255, help_text=_("One line, shown in the catalog and the request form.")
    )
    description = models.TextField(blank=True)
    provided_by_it = models.BooleanField(
        default=True, help_text=_("Off for out-of-scope requests, which are redirected with guidance.")
    )
    default_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Who does it when IT does not: the official process the customer is pointed to.
    owning_department = models.CharField(max_length=120, blank=True)
    process_steps = models.TextField(blank=True, help_text=_("How to get it done, step by step (Markdown)."))
    form_url = models.URLField(blank=True, verbose_name=_("form link"))
    contact_name = models.CharField(max_length=120, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    # The process register: how well the official process works, and who looks after it.
    process_health = models.CharField(
        max_length=12,
        choices=[("works", _("Works")), ("cumbersome", _("Cumbersome")), ("broken", _("Broken"))],
        default="works",
    )
    process_owner = models.CharField(max_length=120, blank=True, help_text=_("Who can change the process."))

    class Meta:
        ordering = ["-provided_by_it", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provided_by_it=True) | ~Q(owning_department=""),
                name="tickets_service_out_of_scope_names_owner",
                violation_error_message=_("Say which department does it when IT does not."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tickets:catalog_detail", kwargs={"slug": self.slug})


class BusinessCalendar(models.Model):
    """The desk's working week and holidays; SLA clocks only run inside it."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="tickets_one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        verbose_name_plural = _("working hours")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "weekday"], name="tickets_one_period_per_weekday"),
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="tickets_hours_open_before_close"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="tickets_one_holiday_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


# The text-search configuration of the full-text document and of every query against it.
SEARCH_CONFIG = "english"


class Priority(models.TextChoices):
    CRITICAL = "p1", _("Critical")
    HIGH = "p2", _("High")
    MEDIUM = "p3", _("Medium")
    LOW = "p4", _("Low")


class Urgency(models.TextChoices):
    HIGH = "high", _("High: I cannot work")
    MEDIUM = "medium", _("Medium: I can work, but slowly")
    LOW = "low", _("Low: it can wait")


class Impact(models.TextChoices):
    HIGH = "high", _("Many people or a whole team")
    MEDIUM = "medium", _("A few people")
    LOW = "low", _("Just me")


# ITIL's urgency × impact matrix: the one place priority is derived.
PRIORITY_MATRIX = {
    (Urgency.HIGH, Impact.HIGH): Priority.CRITICAL,
    (Urgency.HIGH, Impact.MEDIUM): Priority.HIGH,
    (Urgency.HIGH, Impact.LOW): Priority.MEDIUM,
    (Urgency.MEDIUM, Impact.HIGH): Priority.HIGH,
    (Urgency.MEDIUM, Impact.MEDIUM): Priority.MEDIUM,
    (Urgency.MEDIUM, Impact.LOW): Priority.LOW,
    (Urgency.LOW, Impact.HIGH): Priority.MEDIUM,
    (Urgency.LOW, Impact.MEDIUM): Priority.LOW,
    (Urgency.LOW, Impact.LOW): Priority.LOW,
}


class FollowUpPolicy(models.Model):
    """How often a customer must hear from IT while their request is open, in business minutes;
    a category-specific row overrides the default (VIPs hear more often)."""

    priority = models.CharField(max_length=2, choices=Priority)
    customer_category = models.CharField(max_length=20, choices=CustomerCategory, blank=True)
    update_every_minutes = models.PositiveIntegerField(
        help_text=_("Working minutes without news after which IT owes the customer an update.")
    )

    class Meta:
        verbose_name = _("follow-up policy")
        verbose_name_plural = _("follow-up policies")
        ordering = ["priority", "customer_category"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "customer_category"], name="tickets_one_followup_per_priority_category"
            ),
            models.CheckConstraint(condition=Q(update_every_minutes__gt=0), name="tickets_followup_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} {self.get_customer_category_display() or 'default'}"


class SlaPolicy(models.Model):
    """Targets for one priority, in business minutes; a category-specific row overrides the default."""

    priority = models.CharField(max_length=2, choices=Priority)
    customer_category = models.CharField(
        max_length=20,
        choices=CustomerCategory,
        blank=True,
        help_text=_("Empty: the default for everyone; set: a tighter (or looser) target for that category."),
    )
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority", "customer_category"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "customer_category"], name="tickets_one_sla_per_priority_category"
            ),
            models.CheckConstraint(
                condition=Q(
                    first_response_minutes__gt=0, resolution_minutes__gte=models.F("first_response_minutes")
                ),
                name="tickets_sla_targets_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} {self.get_customer_category_display() or 'default'}"


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

    @property
    def reference(self) -> str:
        return f"SD-{self.pk}"

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


class TicketMessage(models.Model):
    """One entry in a ticket's conversation: a public reply, or an internal note agents alone see."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    # None: written by the service desk itself (an automatic status update).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(help_text=_("Markdown."))
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="tickets_message_ticket_idx")]

    def __str__(self) -> str:
        return f"{'Note' if self.is_internal else 'Reply'} on {self.ticket_id} by {self.author_id}"


class TicketEvent(models.Model):
    """The history of a ticket: who changed what, from what to what, and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Submitted")
        STATUS_CHANGED = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assignee changed")
        TEAM_CHANGED = "team", _("Team changed")
        PRIORITY_CHANGED = "priority", _("Priority changed")
        REPLIED = "replied", _("Replied")
        NOTE_ADDED = "note", _("Internal note added")
        ESCALATED = "escalated", _("Escalated")
        REDIRECTED = "redirected", _("Redirected with guidance")
        ROOT_CAUSE = "root_cause", _("Root cause recorded")
        TAUGHT = "taught", _("Process taught")
        CONTACT_CALLED = "called", _("Contact called for the customer")
        FULFILLED = "fulfilled", _("Done by IT although out of scope")
        PROCESS_ESCALATED = "process", _("Process escalated for improvement")
        UPDATE_NUDGED = "update_due", _("Customer due an update: assignee nudged")
        AUTO_UPDATE = "auto_update", _("Automatic status update sent")
        CUSTOMER_REMINDED = "reminded", _("Customer reminded IT is waiting")
        SLA_WARNED = "sla_warned", _("SLA warning")
        SLA_BREACHED = "sla_breached", _("SLA breached: escalated to managers")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="tickets_event_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"


class CannedResponse(models.Model):
    """A ready-made answer agents insert into a reply and adapt."""

    title = models.CharField(max_length=120, unique=True)
    body = models.TextField(help_text=_("Markdown."))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


def _attachment_path(attachment: "Attachment", filename: str) -> str:
    # Never the uploader's file name on disk: it is shown, escaped, but only ever stored as data.
    return f"attachments/{attachment.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a ticket (with the request or with one reply), served only to those who may see it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("tickets:attachment", kwargs={"pk": self.pk})


class ProcessImprovement(models.Model):
    """A proposal to fix an official process that turned customers away, and what came of it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")

    process = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="improvements")
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    suggested_fix = models.TextField()
    status = models.CharField(max_length=12, choices=Status, default=Status.PROPOSED)
    what_changed = models.TextField(
        blank=True, help_text=_("Told to every customer the process turned away.")
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    # Set once every affected customer has been told (the follow-up scan finishes any left undone).
    followups_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.process}: {self.suggested_fix[:60]}"
