"""A small believable company for `manage.py seed_demo`. Running it again changes nothing."""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from reports.rollups import rollups_refresh

from .desk import desk_demo_seed
from .knowledge import knowledge_demo_seed, knowledge_flags_demo_seed
from .meetings import meetings_demo_seed
from .notices import notices_demo_read
from .readiness import readiness_demo_seed
from .surveys import surveys_demo_seed
from .tickets import tickets_demo_seed

# Shared by every demo account and shown on the login page in local mode only.
DEMO_PASSWORD = "servicedesk-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    title: str

    @property
    def email(self) -> str:
        return f"{self.username}@northwind.example"


DEMO_USERS = [
    DemoUser("maria", "Maria", "Lindqvist", Role.MANAGER, "IT Service Manager"),
    DemoUser("sam", "Sam", "Okafor", Role.AGENT, "Service Desk Analyst"),
    DemoUser("priya", "Priya", "Raman", Role.AGENT, "Desktop Support Engineer"),
    DemoUser("alice", "Alice", "Moreau", Role.CUSTOMER, "Accounts Payable Clerk, Finance"),
    DemoUser("ben", "Ben", "Hartley", Role.CUSTOMER, "Regional Sales Lead"),
    DemoUser("chen", "Chen", "Wei", Role.CUSTOMER, "Chief Financial Officer"),
    DemoUser("dana", "Dana", "Kowalski", Role.CUSTOMER, "Warehouse Coordinator"),
]


@transaction.atomic
def demo_seed() -> list[User]:
    """Create what of the demo company does not exist yet; returns the accounts created."""
    created = _users_seed()
    users = {
        user.username: user for user in User.objects.filter(username__in=[u.username for u in DEMO_USERS])
    }
    desk_demo_seed(users)
    knowledge_demo_seed(users)
    tickets_demo_seed(users)
    knowledge_flags_demo_seed(users)
    surveys_demo_seed(users)
    meetings_demo_seed(users)
    readiness_demo_seed(users)
    notices_demo_read(users)
    rollups_refresh()  # the dashboards show the demo at once, not after beat's first minute
    return created


def _users_seed() -> list[User]:
    existing = set(
        User.objects.filter(username__in=[u.username for u in DEMO_USERS]).values_list("username", flat=True)
    )
    return [
        user_create(
            username=demo.username,
            email=demo.email,
            first_name=demo.first_name,
            last_name=demo.last_name,
            role=demo.role,
            password=DEMO_PASSWORD,
            is_staff=demo.role == Role.MANAGER,
        )
        for demo in DEMO_USERS
        if demo.username not in existing
    ]
