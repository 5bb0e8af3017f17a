import secrets

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from devkit.bench.data.surveys import bench_surveys_seed
from devkit.bench.data.tickets import bench_seed
from tickets.models import Ticket


class Command(BaseCommand):
    help = (
        "Add a large realistic data set for `manage.py bench`: tickets and replies, graded surveys, "
        "and the dashboards' rollups (bulk-loaded; for a benchmark database)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--customers", type=int, default=50_000)
        parser.add_argument("--agents", type=int, default=300)
        parser.add_argument("--responses", type=int, default=300_000, help="answered surveys")
        parser.add_argument(
            "--surveys-only", action="store_true", help="add surveys and rollups to the tickets already there"
        )

    def handle(
        self, *args, tickets: int, customers: int, agents: int, responses: int, surveys_only: bool, **options
    ):
        if not surveys_only:
            bench_seed(tickets=tickets, customers=customers, agents=agents)
        if not User.objects.filter(username="bench-manager").exists():
            user_create(
                username="bench-manager",
                email="bench-manager@example.com",
                role=Role.MANAGER,
                password=secrets.token_urlsafe(),
            )
        bench_surveys_seed(responses=responses)
        call_command("rollups_rebuild")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Bench data ready: {Ticket.objects.count():,} tickets."))
