import factory

from notifications.models import OutboundEmail


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    """A pending row as email_queue writes it (without publishing a task)."""

    class Meta:
        model = OutboundEmail

    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
    to_address = factory.Sequence(lambda n: f"person{n}@example.com")
    subject = "Your request was updated"
    body_text = "Hello"
    body_html = "<p>Hello</p>"
    template = "tests/greeting"
