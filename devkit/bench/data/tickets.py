"""A large, realistic data set for `manage.py seed_bench`: customers, agents and tickets with
replies, written in bulk (COPY on Postgres) rather than through the services, for speed."""

import random
import sys
from collections.abc import Iterator
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from customers.models import CustomerCategory, CustomerProfile
from devkit.demo.desk import catalog_seed
from tickets.models import PRIORITY_MATRIX, SEARCH_CONFIG, Impact, Service, Ticket, TicketMessage, Urgency

from .bulk import Progress, bulk_write

BENCH_PREFIX = "bench"
SUBJECTS = [
    "Laptop will not start", "Outlook keeps asking for my password", "VPN drops every few minutes",
    "Printer on floor {n} jams", "Need access to the {n} shared drive", "Screen flickers", "Teams calls drop",
    "Locked out of CRM", "Install Visio please", "Phone does not sync mail", "Wi-Fi slow in meeting room {n}",
    "Excel crashes when opening a large file", "New starter needs an account", "Cannot print to PDF",
]  # fmt: skip
REPLIES = [
    "I am looking into it now.", "Could you restart and try again?", "Which building are you in?",
    "Done: please check and tell us.", "Still happening this morning.", "Thank you, that fixed it.",
]  # fmt: skip


def bench_seed(*, tickets: int, customers: int, agents: int, seed: int = 7) -> None:
    """Add `tickets` tickets (about 2.5 replies each) for `customers` customers and `agents` agents."""
    rng = random.Random(seed)
    teams = catalog_seed()
    services = list(Service.objects.values_list("pk", flat=True))

    customer_ids = _users_seed("customer", customers, Role.CUSTOMER, rng)
    agent_ids = _users_seed("agent", agents, Role.AGENT, rng)
    bulk_write(
        CustomerProfile,
        ["user_id", "department", "location", "phone", "is_senior_executive", "category", "notes"],
        (
            (
                pk,
                rng.choice(["Finance", "Sales", "Warehouse", "HR", "Legal"]),
                "",
                "",
                False,
                _category(rng),
                "",
            )
            for pk in customer_ids
        ),
        Progress("profiles", len(customer_ids)),
    )
    now = timezone.now()
    first_ticket_id = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    bulk_write(
        Ticket,
        [
            "title",
            "description",
            "customer_id",
            "service_id",
            "urgency",
            "impact",
            "priority",
            "status",
            "assignee_id",
            "team_id",
            "created_at",
            "updated_at",
            "first_response_due_at",
            "resolution_due_at",
            "first_responded_at",
            "sla_paused_at",
            "sla_paused_minutes",
            "resolved_at",
            "closed_at",
            "resolution",
            "root_cause",
            "followup_due_at",
            "followup_stage",
            "sla_alert_stage",
            "channel",
        ],
        (
            _ticket_row(rng, now, customer_ids, agent_ids, services, [t.pk for t in teams.values()])
            for _ in range(tickets)
        ),
        Progress("tickets", tickets),
    )
    ticket_rows = Ticket.objects.filter(pk__gte=first_ticket_id).values_list(
        "pk", "customer_id", "assignee_id", "created_at"
    )
    bulk_write(
        TicketMessage,
        ["ticket_id", "author_id", "body", "is_internal", "created_at"],
        _message_rows(rng, ticket_rows.iterator(chunk_size=20_000), agent_ids),
        Progress("replies", int(tickets * 2.5)),
    )
    if connection.vendor == "postgresql":
        sys.stderr.write("search documents and statistics…\n")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tickets_ticket SET search_document = "
                f"setweight(to_tsvector('{SEARCH_CONFIG}', title), 'A') || "
                f"setweight(to_tsvector('{SEARCH_CONFIG}', description), 'B') WHERE id >= %s",
                [first_ticket_id],
            )
        # Outside a transaction: VACUUM sets the visibility map, so counts can be index-only.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _category(rng: random.Random) -> str:
    roll = rng.random()
    return (
        CustomerCategory.VIP
        if roll < 0.03
        else CustomerCategory.REPEAT_OFFENDER
        if roll < 0.05
        else CustomerCategory.GENERAL
    )


# How requests come in on the bench desk: mostly the portal, then e-mail, phone and visitors.
CHANNEL_WEIGHTS = {
    Ticket.Channel.PORTAL: 70,
    Ticket.Channel.EMAIL: 18,
    Ticket.Channel.PHONE: 9,
    Ticket.Channel.WALK_IN: 3,
}


def _channel(rng: random.Random) -> str:
    return rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]


def _users_seed(kind: str, count: int, role: Role, rng: random.Random) -> list[int]:
    start = User.objects.filter(username__startswith=f"{BENCH_PREFIX}-{kind}-").count()
    password = make_password(
        f"{BENCH_PREFIX}-password"
    )  # hashed once, shared: these accounts are for load only
    now = timezone.now()
    bulk_write(
        User,
        [
            "username",
            "email",
            "first_name",
            "last_name",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
        ],
        (
            (
                f"{BENCH_PREFIX}-{kind}-{n}",
                f"{BENCH_PREFIX}-{kind}-{n}@example.com",
                kind.title(),
                str(n),
                password,
                True,
                False,
                False,
                now,
            )
            for n in range(start, count)
        ),
        Progress(f"{kind}s", max(count - start, 0)),
    )
    ids = list(
        User.objects.filter(username__startswith=f"{BENCH_PREFIX}-{kind}-").values_list("pk", flat=True)
    )
    group = Group.objects.get(name=role.group_name)
    through = User.groups.through
    existing = set(through.objects.filter(group=group, user_id__in=ids).values_list("user_id", flat=True))
    through.objects.bulk_create(
        [through(user_id=pk, group=group) for pk in ids if pk not in existing], batch_size=5000
    )
    return ids


def _ticket_row(rng, now, customers, agents, services, teams) -> tuple:
    created = now - timedelta(minutes=rng.randint(10, 2 * 365 * 24 * 60))
    urgency, impact = rng.choice(Urgency.values), rng.choice(Impact.values)
    priority = PRIORITY_MATRIX[(urgency, impact)]
    first_due, resolution_due = created + timedelta(hours=4), created + timedelta(days=3)
    age = now - created
    # Old tickets are done; recent ones are spread over the workflow, as on a real desk.
    status = (
        "closed" if age > timedelta(days=14) else rng.choice(["new", "open", "open", "pending", "resolved"])
    )
    assignee = None if status == "new" else rng.choice(agents)
    responded = None if status == "new" else created + timedelta(minutes=rng.randint(5, 600))
    resolved = created + timedelta(hours=rng.randint(1, 120)) if status in ("resolved", "closed") else None
    closed = resolved + timedelta(days=7) if status == "closed" else None
    paused = now if status == "pending" else resolved
    # Every ticket still with IT or the customer has its next follow-up ahead of it (none due).
    followup = (
        now + timedelta(minutes=rng.randint(60, 3 * 24 * 60))
        if status in ("new", "open", "pending")
        else None
    )
    stage = {"new": "nudge", "open": "nudge", "pending": "remind"}.get(status, "")
    title = rng.choice(SUBJECTS).format(n=rng.randint(1, 9))
    description = f"{title}. Reported by phone; details in the replies."
    return (
        title, description, rng.choice(customers), rng.choice(services), urgency, impact, priority,
        status, assignee, rng.choice(teams), created, resolved or created, first_due, resolution_due,
        responded, paused, 0, resolved, closed, "fixed" if resolved else "", "", followup, stage, "",
        _channel(rng),
    )  # fmt: skip


def _message_rows(rng, tickets: Iterator[tuple], agents: list[int]) -> Iterator[tuple]:
    for ticket_id, customer_id, assignee_id, created in tickets:
        for n in range(rng.choice([1, 2, 3, 4])):
            author = customer_id if n % 2 else (assignee_id or rng.choice(agents))
            yield ticket_id, author, rng.choice(REPLIES), False, created + timedelta(minutes=30 * (n + 1))
