from django.apps import AppConfig


class InboundConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inbound"
    verbose_name = "Incoming e-mail"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the IMAP settings check)
