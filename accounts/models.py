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
