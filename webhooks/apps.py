from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhooks: the desk's events, signed and delivered through the outbox to managers' endpoints."""

    name = "webhooks"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
