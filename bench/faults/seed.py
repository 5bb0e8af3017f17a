"""Seeds a fault run's database, from inside the app's environment (its settings, its database):

    python -m bench.faults.seed OUT.json --customers 8 --agents 4 --graded 2 --unassigned 0

Customers and agents with one password, a catalog entry to ask for, resolved requests for each
customer to grade and unassigned tickets for a claim race, all through the app's services (so
their e-mails go through the outbox like any other). Writes what it made to OUT.json.
"""

import argparse
import json

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from notifications import publisher  # noqa: E402
from surveys.models import Survey  # noqa: E402
from tickets import services  # noqa: E402
from tickets.models import Service, Team, Ticket  # noqa: E402

PASSWORD = "faults-not-a-secret-1"


def _users(prefix: str, count: int, role: Role, password: str) -> list[User]:
    users = User.objects.bulk_create(
        User(
            username=f"{prefix}{n:02d}",
            email=f"{prefix}{n:02d}@faults.example",
            first_name=prefix.title(),
            last_name=f"{n:02d}",
            password=password,
        )
        for n in range(count)
    )
    Group.objects.get(name=role.group_name).user_set.add(*users)
    return users


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--graded", type=int, default=2, help="resolved requests per customer to grade")
    parser.add_argument("--unassigned", type=int, default=0, help="unassigned tickets (claim race)")
    args = parser.parse_args()

    password = make_password(PASSWORD)  # hashed once: the hasher is slow on purpose
    with transaction.atomic():
        team = Team.objects.get_or_create(name="Service Desk")[0]
        service = Service.objects.get_or_create(
            slug="faults-laptop",
            defaults={
                "name": "Laptop problem",
                "summary": "Anything wrong with a laptop.",
                "default_team": team,
            },
        )[0]
        customers = _users("customer", args.customers, Role.CUSTOMER, password)
        agents = _users("agent", args.agents, Role.AGENT, password)
        surveys: dict[str, list[int]] = {}
        for n, customer in enumerate(customers):
            for k in range(args.graded):
                ticket = services.ticket_create(
                    customer=customer,
                    title=f"Seeded request {n}.{k}",
                    description="Seeded.",
                    service=service,
                    urgency="low",
                    impact="low",
                )
                services.ticket_status_change(ticket=ticket, by=agents[n % len(agents)], status="resolved")
            surveys[customer.username] = list(
                Survey.objects.filter(customer=customer).values_list("pk", flat=True)
            )
        race = []
        for n in range(args.unassigned):
            ticket = services.ticket_create(
                customer=customers[n % len(customers)],
                title=f"Claim race {n}",
                description="Whose is it?",
                service=service,
                urgency="low",
                impact="low",
            )
            race.append(ticket.pk)
    publisher.drain(timeout=60)
    assert all(Ticket.objects.get(pk=pk).assignee_id is None for pk in race[:1])
    with open(args.out, "w") as out:
        json.dump(
            {
                "password": PASSWORD,
                "service": service.pk,
                "customers": [user.username for user in customers],
                "agents": [user.username for user in agents],
                "surveys": surveys,
                "race_tickets": race,
            },
            out,
        )


if __name__ == "__main__":
    main()
