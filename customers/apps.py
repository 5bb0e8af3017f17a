from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self) -> None:
        from tickets.signals import ticket_redirected

        from . import receivers

        ticket_redirected.connect(receivers.bypass_noticed, dispatch_uid="customers.bypass_noticed")
