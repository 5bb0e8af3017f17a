from django.apps import AppConfig, apps

from .services import role_groups_sync as _role_groups_sync


def role_groups_sync(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """Bring the role groups up to date once the last app's permissions exist."""
    apps_with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not apps_with_models[-1]:
        return  # post_migrate fires once per app; the permissions are complete only at the last
    _role_groups_sync(using=using)
