from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The outbox: every outgoing message is a row first, delivered by Celery after commit."""

    name = "notifications"
