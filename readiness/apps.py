from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    """Whether the team is set up to succeed: standards read, training per service, readiness."""

    name = "readiness"
    verbose_name = "Readiness"
