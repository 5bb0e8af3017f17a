from datetime import timedelta

import factory
from django.utils import timezone

from tickets.models import Priority, Service, Team, Ticket, TicketMessage

from ..accounts.factories import CustomerFactory


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    summary = "Something IT does"
    provided_by_it = True


class OutOfScopeServiceFactory(ServiceFactory):
    name = factory.Sequence(lambda n: f"Printer paper {n}")
    slug = factory.Sequence(lambda n: f"printer-paper-{n}")
    summary = "Paper for the office printers"
    provided_by_it = False
    owning_department = "Facilities"
    process_steps = "1. Open the Facilities order form.\n2. Choose *Printer paper*."
    form_url = "https://intranet.example/facilities/order"
    contact_name = "Fran Facilities"
    contact_phone = "+44 20 7946 0000"


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row as it would stand after submission (without its event or e-mail)."""

    class Meta:
        model = Ticket

    title = factory.Sequence(lambda n: f"Laptop will not start {n}")
    description = "It beeps three times."
    customer = factory.SubFactory(CustomerFactory)
    service = factory.SubFactory(ServiceFactory)
    urgency = "medium"
    impact = "low"
    priority = Priority.LOW
    created_at = factory.LazyFunction(timezone.now)
    first_response_due_at = factory.LazyAttribute(lambda t: t.created_at + timedelta(hours=8))
    resolution_due_at = factory.LazyAttribute(lambda t: t.created_at + timedelta(days=5))


class TicketMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketMessage

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SelfAttribute("ticket.customer")
    body = "Any news?"
    created_at = factory.LazyFunction(timezone.now)
