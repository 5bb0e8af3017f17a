"""How urgent a request is and what the desk promises for it: priorities, SLA targets, how often
the customer hears from IT."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import CustomerCategory


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
