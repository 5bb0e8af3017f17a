from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CustomerCategory(models.TextChoices):
    """How IT serves this person: its playbook. Internal and sensitive: never shown to the customer."""

    GENERAL = "general", _("General")
    VIP = "vip", _("VIP")
    REPEAT_OFFENDER = "repeat_offender", _("Repeat offender")


class CustomerProfile(models.Model):
    """What IT knows about an employee who asks for help. Staff-only: see customers/selectors.py."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_profile"
    )
    department = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Their line manager: who IT's manager talks to about a repeat offender."),
    )
    is_senior_executive = models.BooleanField(default=False)
    category = models.CharField(max_length=20, choices=CustomerCategory, default=CustomerCategory.GENERAL)
    notes = models.TextField(blank=True, help_text=_("IT's own notes on how to serve this person."))

    class Meta:
        # The dashboards filter tickets by their customers' category: read from this index alone.
        indexes = [models.Index(fields=["category", "user"], name="customers_category_user_idx")]
        permissions = [
            ("set_customer_category", "Can set or clear a customer's category, repeat offender included"),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", kwargs={"user_id": self.user_id})


class VipDepartment(models.Model):
    """A department whose members are VIPs by rule (senior executives always are)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = _("VIP department")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CategoryChange(models.Model):
    """The history of a customer's category: who changed it (nobody for a rule), when and why."""

    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="category_changes")
    old_category = models.CharField(max_length=20, choices=CustomerCategory)
    new_category = models.CharField(max_length=20, choices=CustomerCategory)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.profile}: {self.old_category} → {self.new_category}"


class RepeatOffenderSuggestion(models.Model):
    """The system noticed repeated bypassing and asks a manager; it never decides by itself."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a manager")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.CASCADE, related_name="repeat_offender_suggestions"
    )
    bypass_count = models.PositiveSmallIntegerField()
    window_days = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"], condition=Q(status="pending"), name="customers_one_pending_suggestion"
            ),
        ]

    def __str__(self) -> str:
        return f"Repeat offender? {self.profile} ({self.bypass_count} bypasses)"


class ProactiveArrangement(models.Model):
    """A recurring need met before the customer has to ask (the VIP playbook: "so they never have to ask
    again"), e.g. paper replenished on floor 9 every two weeks by Facilities."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="arrangements"
    )
    need = models.CharField(max_length=200, help_text=_("What is provided, e.g. “Printer paper, floor 9”."))
    service = models.ForeignKey(
        "tickets.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The catalog entry the customer used to ask about: shows whether the asks stopped."),
    )
    owning_department = models.CharField(max_length=120)
    contact_name = models.CharField(max_length=120)
    contact_email = models.EmailField(help_text=_("Reminded by e-mail whenever it is due."))
    cadence_days = models.PositiveSmallIntegerField()
    started_on = models.DateField()
    next_due_on = models.DateField(db_index=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["next_due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cadence_days__gte=1), name="customers_cadence_positive")
        ]

    def __str__(self) -> str:
        return f"{self.need} for {self.customer}"


class ArrangementReminder(models.Model):
    """One due date of an arrangement and the reminder sent for it (never two for one date)."""

    arrangement = models.ForeignKey(ProactiveArrangement, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    reminded_at = models.DateTimeField()

    class Meta:
        ordering = ["-due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "due_on"], name="customers_one_reminder_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.arrangement} due {self.due_on}"
