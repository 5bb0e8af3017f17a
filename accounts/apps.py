from django.apps import AppConfig
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from . import permission_cache, receivers

        # After every migrate (and every test flush), so the role groups always carry the
        # permissions that exist by then.
        post_migrate.connect(receivers.role_groups_sync, dispatch_uid="accounts.role_groups_sync")
        permission_cache.receivers_connect()
        auth_signals.user_logged_in.connect(receivers.logged_in_record, dispatch_uid="accounts.logged_in")
        auth_signals.user_logged_out.connect(receivers.logged_out_record, dispatch_uid="accounts.logged_out")
        auth_signals.user_login_failed.connect(
            receivers.login_failure_log, dispatch_uid="accounts.login_failed"
        )
