from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """Anyone who signs in: an employee asking IT for help, an agent, or a manager.

    What a user may do comes from their role group's permissions (see roles.py).
    """

    email = models.EmailField(_("e-mail address"), blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # People may sign in with their e-mail address, so it must name one account.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
            ),
        ]
        permissions = [
            ("use_customer_portal", "Can submit and follow their own requests"),
            ("work_ticket_queue", "Can triage and work tickets as an agent"),
            ("manage_service_desk", "Can see report cards and manage the service desk"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role(self) -> Role | None:
        """The broadest role this user's permissions grant (a manager is also an agent)."""
        return Role.of(self)


class AccountEvent(models.Model):
    """The audit trail of an account: who changed what about it, and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Account created")
        LOGGED_IN = "logged_in", _("Logged in")
        LOGGED_OUT = "logged_out", _("Logged out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
        PASSWORD_RESET_COMPLETED = "password_reset_completed", _("Password reset completed")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events")
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who did it; empty when it was the system or someone not logged in."),
    )
    kind = models.CharField(max_length=30, choices=Kind)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_event_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user}"
