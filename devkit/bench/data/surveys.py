"""Survey responses for the benchmark database: the resolutions of `seed_bench`'s tickets graded."""

import random
import secrets
from datetime import timedelta

from customers.models import CustomerCategory
from surveys.models import DIMENSIONS, Survey
from tickets.models import Ticket

from .bulk import Progress, bulk_write

# A desk that mostly pleases: most grades are A to C; one in twenty is an F.
GRADE_WEIGHTS = {"A": 30, "B": 35, "C": 22, "D": 8, "F": 5}
COLUMNS = [
    "ticket_id", "round", "customer_id", "agent_id", "team_id", "service_id", "priority",
    "customer_category", "resolved_at", "created_at", "nonce", "expires_at", "invited_at",
    "answered_at", "grade", *DIMENSIONS, "driver", "would_choose_us", "felt_indifference", "comment",
]  # fmt: skip


def bench_surveys_seed(*, responses: int, seed: int = 11) -> None:
    """Offer a survey for resolved tickets until about `responses` of them are answered (half)."""
    rng = random.Random(seed)
    resolved = Ticket.objects.filter(status__in=Ticket.RESOLVED_STATUSES, surveys__isnull=True).values_list(
        "pk", "customer_id", "assignee_id", "team_id", "service_id", "priority", "resolved_at"
    )
    offered = min(responses * 2, resolved.count())
    categories = dict(
        Ticket.objects.filter(customer__customer_profile__isnull=False)
        .values_list("customer_id", "customer__customer_profile__category")
        .distinct()
    )
    rows = (
        _survey_row(rng, ticket, categories, answered=n % 2 == 0)
        for n, ticket in enumerate(resolved.order_by("pk")[:offered].iterator(chunk_size=20_000))
    )
    bulk_write(Survey, COLUMNS, rows, Progress("surveys", offered))


def _survey_row(rng: random.Random, ticket: tuple, categories: dict, *, answered: bool) -> tuple:
    pk, customer, agent, team, service, priority, resolved_at = ticket
    invited = resolved_at + timedelta(minutes=30)
    grade = rng.choices(list(GRADE_WEIGHTS), weights=list(GRADE_WEIGHTS.values()))[0] if answered else ""
    good = "ABCDF".index(grade) if answered else 0
    dimensions = [
        min(5, max(1, 5 - good + rng.randint(-1, 1))) if answered and rng.random() < 0.8 else None
        for _ in DIMENSIONS
    ]
    return (
        pk, 1, customer, agent, team, service, priority, categories.get(customer, CustomerCategory.GENERAL),
        resolved_at, resolved_at, secrets.token_hex(16), resolved_at + timedelta(days=30), invited,
        invited + timedelta(hours=rng.randint(1, 96)) if answered else None, grade, *dimensions,
        rng.choice(["attitude", "outcome", "speed", "communication"]) if answered else "",
        rng.choice(["yes", "yes", "not_sure", "no"]) if answered else "",
        answered and good >= 3 and rng.random() < 0.5, "",
    )  # fmt: skip
