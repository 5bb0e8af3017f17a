from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self) -> None:
        from tickets.signals import ticket_resolved

        from . import receivers

        ticket_resolved.connect(receivers.ticket_resolved_survey, dispatch_uid="surveys.ticket_resolved")
