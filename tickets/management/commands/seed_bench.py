from django.core.management.base import BaseCommand

from tickets.bench_data import bench_seed


class Command(BaseCommand):
    help = "Add a large realistic data set for `manage.py bench` (bulk-loaded; for a benchmark database)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--customers", type=int, default=50_000)
        parser.add_argument("--agents", type=int, default=300)

    def handle(self, *args, tickets: int, customers: int, agents: int, **options) -> None:
        bench_seed(tickets=tickets, customers=customers, agents=agents)
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {tickets:,} tickets for {customers:,} customers and {agents:,} agents."
            )
        )
