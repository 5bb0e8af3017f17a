"""Make a personal API token for a user (an automation account, say) and print it."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api import services


class Command(BaseCommand):
    help = "Make an API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="The username the token acts as.")
        parser.add_argument("--name", default="Made by api_token_create", help="What the token is for.")
        parser.add_argument("--expires-days", type=int, default=None, help="Days until it stops working.")

    def handle(self, *args, user: str, name: str, expires_days: int | None, **options) -> None:
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user is called {user!r}.")
        if not account.is_active:
            raise CommandError(f"{user!r} is disabled: a token of theirs would not work.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be at least 1.")
        new = services.api_token_create(user=account, name=name[:100], expires_days=expires_days)
        self.stdout.write(new.secret)
