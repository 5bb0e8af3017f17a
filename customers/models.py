from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerCategory(models.TextChoices):
    """How IT serves this person (seed 001). Internal and sensitive: never shown to the customer."""

    GENERAL = "general", _("General")
    VIP = "vip", _("VIP")
    REPEAT_OFFENDER = "repeat_offender", _("Repeat offender")


class CustomerProfile(models.Model):
    """What IT knows about an employee who asks for help."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_profile"
    )
    department = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    category = models.CharField(max_length=20, choices=CustomerCategory, default=CustomerCategory.GENERAL)

    def __str__(self) -> str:
        return str(self.user)
