import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import CustomerCategory
from tickets.models import Priority, Service, Team, Ticket


class Grade(models.TextChoices):
    """The report card: A and B exceed expectations, C meets them, D and F disappoint. For internal
    IT every unhappy customer is an F risk: they cannot take their business elsewhere."""

    A = "A", _("A — far beyond expectations")
    B = "B", _("B — exceeded expectations")
    C = "C", _("C — met expectations, no more")
    D = "D", _("D — annoyed or upset")
    F = "F", _("F — annoyed, and with no choice but to put up with it")


# Grade points for the grade point average.
GRADE_POINTS = {Grade.A: 4, Grade.B: 3, Grade.C: 2, Grade.D: 1, Grade.F: 0}
# Grades that open a service recovery case.
POOR_GRADES = (Grade.D, Grade.F)


class Driver(models.TextChoices):
    """What drove the grade most: most customers who leave do so for an attitude of indifference,
    few for the product itself."""

    ATTITUDE = "attitude", _("Attitude: how much they cared")
    OUTCOME = "outcome", _("The outcome")
    SPEED = "speed", _("Speed")
    COMMUNICATION = "communication", _("Communication")
    OTHER = "other", _("Something else")


class WouldChoose(models.TextChoices):
    YES = "yes", _("Yes")
    NOT_SURE = "not_sure", _("Not sure")
    NO = "no", _("No")


# The service-quality dimensions (SERVQUAL), asked 1–5: field name → question.
DIMENSIONS = {
    "responsiveness": _("Responsiveness: they dealt with it promptly"),
    "reliability": _("Reliability: it was done right, as promised"),
    "assurance": _("Assurance: they were competent and confident"),
    "empathy": _("Empathy: they cared about my problem"),
    "communication": _("Communication: I was kept informed"),
}


def _nonce() -> str:
    return secrets.token_urlsafe(16)


def _dimension_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True)


class Survey(models.Model):
    """One invitation to grade one resolution of a ticket, and the customer's answer to it.

    Who and what it was about (agent, team, service, priority, the customer's category) is copied
    when it is made, so the report card counts a grade against whoever earned it even after the
    ticket moves on. Answering is a conditional update of an unanswered row, so the database, not
    the link's signature, makes a survey single use.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="surveys")
    round = models.PositiveSmallIntegerField(
        default=1, help_text=_("Which resolution of the ticket this grades (after reopening).")
    )
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="surveys")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="graded_surveys",
        help_text=_("Who had the ticket when it was resolved."),
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    priority = models.CharField(max_length=2, choices=Priority)
    # Internal: for the report card by kind of customer. Never shown to the customer.
    customer_category = models.CharField(max_length=16, choices=CustomerCategory)
    resolved_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    # The link's secret: a signed token names the survey and this nonce.
    nonce = models.CharField(max_length=32, default=_nonce, editable=False)
    expires_at = models.DateTimeField(help_text=_("After this the survey can no longer be answered."))
    # Scheduled from the database: a periodic sweep sends what is due, so nothing waits in the broker.
    invite_due_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminder_due_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Replaced by the survey of a later resolution.")
    )

    # The answer.
    answered_at = models.DateTimeField(null=True, blank=True)
    grade = models.CharField(max_length=1, choices=Grade, blank=True)
    responsiveness = _dimension_field(_("responsiveness"))
    reliability = _dimension_field(_("reliability"))
    assurance = _dimension_field(_("assurance"))
    empathy = _dimension_field(_("empathy"))
    communication = _dimension_field(_("communication"))
    driver = models.CharField(_("what drove the grade"), max_length=16, choices=Driver, blank=True)
    would_choose_us = models.CharField(
        _("would choose this IT team"), max_length=8, choices=WouldChoose, blank=True
    )
    felt_indifference = models.BooleanField(
        _("someone seemed indifferent"),
        default=False,
        help_text=_("The customer said someone seemed not to care about their problem."),
    )
    comment = models.TextField(blank=True)
    # A manager reading the comment can flag indifference the customer did not tick.
    indifference_flagged_at = models.DateTimeField(null=True, blank=True)
    indifference_flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "round"], name="surveys_survey_one_per_resolution"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, grade="")
                | (Q(answered_at__isnull=False) & ~Q(grade="")),
                name="surveys_survey_answered_has_grade",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__range": (1, 5)}),
                    name=f"surveys_survey_{name}_1_to_5",
                )
                for name in DIMENSIONS
            ),
        ]
        indexes = [
            # The sweeps look only at what is waiting to be sent, however many surveys there are.
            models.Index(
                fields=["invite_due_at"],
                condition=Q(invited_at__isnull=True, answered_at__isnull=True, cancelled_at__isnull=True)
                & Q(invite_due_at__isnull=False),
                name="surveys_invite_due_idx",
            ),
            models.Index(
                fields=["reminder_due_at"],
                condition=Q(reminded_at__isnull=True, answered_at__isnull=True, cancelled_at__isnull=True)
                & Q(reminder_due_at__isnull=False),
                name="surveys_reminder_due_idx",
            ),
            models.Index(fields=["agent", "-answered_at"], name="surveys_agent_answered_idx"),
            models.Index(fields=["customer", "-created_at"], name="surveys_customer_idx"),
            models.Index(fields=["answered_at"], name="surveys_answered_idx"),
            models.Index(fields=["resolved_at"], name="surveys_resolved_idx"),
        ]

    def __str__(self) -> str:
        return _("Survey for %(ticket)s") % {"ticket": self.ticket_id and f"SD-{self.ticket_id}"}

    def get_absolute_url(self) -> str:
        return reverse("surveys:answer", kwargs={"pk": self.pk})

    @property
    def indifference(self) -> bool:
        return self.felt_indifference or self.indifference_flagged_at is not None

    def is_open_for_answers(self, now) -> bool:
        return self.answered_at is None and self.cancelled_at is None and now < self.expires_at

    def dimension_answers(self) -> list[tuple[str, int | None]]:
        return [(label, getattr(self, name)) for name, label in DIMENSIONS.items()]


class RecoveryCase(models.Model):
    """A customer graded D or F, or felt IT did not care: a manager makes contact and records
    how it ended. One per survey."""

    class Reason(models.TextChoices):
        POOR_GRADE = "poor_grade", _("Graded D or F")
        INDIFFERENCE = "indifference", _("Indifference")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONTACTED = "contacted", _("Customer contacted")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", _("Recovered: the customer is satisfied now")
        PARTLY = "partly", _("Partly recovered")
        NOT_RECOVERED = "not_recovered", _("Not recovered")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        EMAIL = "email", _("E-mail")

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="recovery_case")
    reason = models.CharField(max_length=16, choices=Reason)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recovery_cases",
        help_text=_("The manager looking after it."),
    )
    opened_at = models.DateTimeField(default=timezone.now)
    contacted_at = models.DateTimeField(null=True, blank=True)
    contact_channel = models.CharField(max_length=10, choices=Channel, blank=True)
    contact_notes = models.TextField(_("contact made"), blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome, blank=True)
    outcome_notes = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="surveys_recoverycase_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(contacted_at__isnull=False),
                name="surveys_recoverycase_contacted_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["opened_at"], condition=~Q(status="closed"), name="surveys_recovery_unclosed_idx"
            ),
        ]

    def __str__(self) -> str:
        return _("Recovery case %(pk)s") % {"pk": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("surveys:recovery_detail", kwargs={"pk": self.pk})


class RecoveryEvent(models.Model):
    """The audit trail of a recovery case: who did what, when."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        TAKEN = "taken", _("Taken")
        CONTACTED = "contacted", _("Contact recorded")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"
