from django.core.management.base import BaseCommand

from devkit.demo.company import DEMO_PASSWORD, DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = "Create the demo company's accounts (idempotent: existing ones are left as they are)."

    def handle(self, *args, **options) -> None:
        created = demo_seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(created)} account(s) created, {len(DEMO_USERS)} in all."
            )
        )
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.role.label:<9} {demo.username:<7} password: {DEMO_PASSWORD}")
