from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pages: the role-aware home, health probes."""

    name = "core"
