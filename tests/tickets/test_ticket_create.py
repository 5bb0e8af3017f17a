import pytest

from customers.models import CustomerCategory, CustomerProfile
from notifications.models import OutboundEmail
from tickets.models import Priority, SlaPolicy, Ticket, TicketEvent
from tickets.services import ticket_create

from ..hostile import HOSTILE_INPUTS
from .conftest import at
from .factories import ServiceFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _submit(customer, *, urgency="medium", impact="low", now=None, **fields) -> Ticket:
    return ticket_create(
        customer=customer,
        title=fields.get("title", "Laptop will not start"),
        description=fields.get("description", "It beeps three times."),
        service=fields.get("service") or ServiceFactory(),
        urgency=urgency,
        impact=impact,
        now=now or at(23, 10),
    )


@pytest.mark.parametrize(
    ("urgency", "impact", "priority"),
    [
        ("high", "high", Priority.CRITICAL),
        ("high", "low", Priority.MEDIUM),
        ("medium", "medium", Priority.MEDIUM),
        ("low", "high", Priority.MEDIUM),
        ("low", "low", Priority.LOW),
    ],
)
def test_priority_comes_from_urgency_and_impact(customer, urgency, impact, priority):
    assert _submit(customer, urgency=urgency, impact=impact).priority == priority


def test_due_times_follow_the_policy_in_business_hours(customer, office_hours):
    SlaPolicy.objects.create(priority=Priority.MEDIUM, first_response_minutes=120, resolution_minutes=16 * 60)

    ticket = _submit(customer, urgency="medium", impact="medium", now=at(27, 16))  # Friday 16:00

    assert ticket.first_response_due_at == at(30, 10)  # Monday 10:00
    assert ticket.resolution_due_at == at(1, 16, month=12)  # sixteen working hours: Tuesday 16:00


def test_vip_policy_is_tighter_than_the_default(customer, office_hours):
    SlaPolicy.objects.create(priority=Priority.LOW, first_response_minutes=480, resolution_minutes=2400)
    SlaPolicy.objects.create(
        priority=Priority.LOW,
        customer_category=CustomerCategory.VIP,
        first_response_minutes=60,
        resolution_minutes=240,
    )
    CustomerProfile.objects.create(user=customer, category=CustomerCategory.VIP)

    ticket = _submit(customer, now=at(23, 10))

    assert ticket.first_response_due_at == at(23, 11)
    assert ticket.resolution_due_at == at(23, 14)


def test_without_policies_or_calendar_the_built_in_defaults_apply(customer):
    ticket = _submit(customer, urgency="high", impact="high", now=at(23, 10))

    assert ticket.first_response_due_at == at(23, 10, 30)  # critical: 30 working minutes


def test_submission_is_recorded_routed_and_confirmed_by_email(customer, django_capture_on_commit_callbacks):
    team = TeamFactory(name="Desktop")
    with django_capture_on_commit_callbacks():
        ticket = _submit(customer, service=ServiceFactory(default_team=team))

    assert ticket.status == Ticket.Status.NEW
    assert ticket.team == team
    event = ticket.events.get()
    assert (event.kind, event.actor) == (TicketEvent.Kind.CREATED, customer)
    email = OutboundEmail.objects.get(idempotency_key=f"ticket-created:{ticket.pk}")
    assert email.to_address == customer.email
    assert "a first answer by" in email.body_text
    assert ticket.get_absolute_url() in email.body_text


def test_confirmation_never_mentions_the_customer_category(customer):
    CustomerProfile.objects.create(user=customer, category=CustomerCategory.REPEAT_OFFENDER)

    _submit(customer)

    email = OutboundEmail.objects.get()
    for text in (email.subject, email.body_text, email.body_html):
        assert "repeat" not in text.lower()
        assert "offender" not in text.lower()


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_title_and_description_are_stored_as_typed_and_emailed_inert(customer, hostile):
    typed = hostile.replace("\0", "")  # the form refuses NUL before it gets here

    ticket = _submit(customer, title=typed[:200], description=typed)

    ticket.refresh_from_db()
    assert ticket.description == typed
    email = OutboundEmail.objects.get()
    assert "\n" not in email.subject
    assert "<script>alert(1)</script>" not in email.body_html
    assert "<img src=x onerror" not in email.body_html
