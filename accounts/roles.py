"""The three roles of the service desk, each a group of permissions.

Views check permissions (`user.has_perm`), never group names; this module is the one place that
says which permissions each role's group carries. Later apps add their permissions here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Manager")

    @property
    def group_name(self) -> str:
        return {"customer": "Customers", "agent": "Agents", "manager": "Managers"}[self.value]

    @classmethod
    def of(cls, user: AbstractBaseUser) -> Role | None:
        if not user.is_active:
            return None
        for role in (cls.MANAGER, cls.AGENT, cls.CUSTOMER):
            if user.has_perm(ROLE_DEFINING_PERMISSION[role]):
                return role
        return None


# The permission that makes someone hold a role; the home page and nav follow it.
ROLE_DEFINING_PERMISSION = {
    Role.CUSTOMER: "accounts.use_customer_portal",
    Role.AGENT: "accounts.work_ticket_queue",
    Role.MANAGER: "accounts.manage_service_desk",
}


def works_tickets(user: AbstractBaseUser) -> bool:
    """Someone at IT (an agent or a manager), who answers requests rather than makes them."""
    return user.is_active and user.has_perm(ROLE_DEFINING_PERMISSION[Role.AGENT])


_AGENT_PERMISSIONS = ["accounts.work_ticket_queue"]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CUSTOMER: ["accounts.use_customer_portal"],
    Role.AGENT: _AGENT_PERMISSIONS,
    # A manager is also an agent, and looks after the outbox's dead letters in the admin.
    Role.MANAGER: [
        *_AGENT_PERMISSIONS,
        "accounts.manage_service_desk",
        "notifications.view_outboundemail",
        "notifications.change_outboundemail",
        # ... and the incoming e-mail, to read a failed one again.
        "inbound.view_inboundemail",
        "inbound.change_inboundemail",
        # The desk's set-up, kept in the admin: catalog, SLAs, calendar, teams, canned responses.
        *(
            f"tickets.{action}_{model}"
            for model in (
                "service",
                "slapolicy",
                "followuppolicy",
                "businesscalendar",
                "workinghours",
                "holiday",
                "team",
                "cannedresponse",
            )
            for action in ("view", "add", "change")
        ),
        "tickets.view_ticket",
        "customers.set_customer_category",
        "customers.view_vipdepartment",
        "customers.add_vipdepartment",
        "customers.change_vipdepartment",
        "customers.delete_vipdepartment",
        # Every grade (agents see those on their own tickets), and service recovery.
        "surveys.view_survey",
        "surveys.view_recoverycase",
        "surveys.change_recoverycase",
    ],
}
