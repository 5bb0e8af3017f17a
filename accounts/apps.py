from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from . import receivers

        # After every migrate (and every test flush), so the role groups always carry the
        # permissions that exist by then.
        post_migrate.connect(receivers.role_groups_sync, dispatch_uid="accounts.role_groups_sync")
