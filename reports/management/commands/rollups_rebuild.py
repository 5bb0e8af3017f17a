import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.periods import Period
from reports.rollups import rollups_rebuild
from tickets.models import Ticket


class Command(BaseCommand):
    help = "Rebuild the dashboards' rollups of every day since the first ticket (Celery keeps them after)."

    def handle(self, *args, **options) -> None:
        first = Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first()
        if first is None:
            self.stdout.write("No tickets: nothing to roll up.")
            return
        started = time.perf_counter()
        days = rollups_rebuild(Period(timezone.localdate(first), timezone.localdate()))
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {days:,} days in {time.perf_counter() - started:.0f} s.")
        )
