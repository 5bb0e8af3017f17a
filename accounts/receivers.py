import logging

from django.apps import AppConfig, apps
from django.http import HttpRequest

from . import services
from .models import AccountEvent, User
from .requests import client_ip

security_log = logging.getLogger("servicedesk.security")


def role_groups_sync(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """Bring the role groups up to date once the last app's permissions exist."""
    apps_with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not apps_with_models[-1]:
        return  # post_migrate fires once per app; the permissions are complete only at the last
    services.role_groups_sync(using=using)


def logged_in_record(sender, request: HttpRequest, user: User, **kwargs) -> None:
    services.account_event_record(
        user=user, kind=AccountEvent.Kind.LOGGED_IN, actor=user, ip_address=client_ip(request)
    )


def logged_out_record(sender, request: HttpRequest, user: User | None, **kwargs) -> None:
    if user is not None:  # None when the session had already expired
        services.account_event_record(
            user=user, kind=AccountEvent.Kind.LOGGED_OUT, actor=user, ip_address=client_ip(request)
        )


def login_failure_log(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    # Logged, not stored: the username may not exist, and may be anything someone typed.
    ip_address = client_ip(request) if request else None
    security_log.warning("Failed login for %r from %s", credentials.get("username"), ip_address)
