"""E-mail out and back: every e-mail about a ticket belongs to its thread, and the customer's
answer from a mail client comes back onto the ticket, whatever became of the subject."""

from email.message import EmailMessage

import pytest
from django.core import mail

from inbound.models import InboundEmail
from inbound.services import inbound_process, inbound_store
from notifications.models import OutboundEmail
from notifications.services import (
    REPLY_ABOVE_LINE,
    outbound_email_deliver,
    thread_message_id,
    thread_pk,
)
from tickets import services as ticket_services
from tickets.models import Ticket, TicketMessage

from ..accounts.factories import AgentFactory, CustomerFactory
from ..tickets.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(settings):
    settings.INBOUND_ADDRESS = "helpdesk@example.com"
    customer = CustomerFactory(email="alice@example.com")
    return ticket_services.ticket_create(
        customer=customer,
        title="VPN drops",
        description="Every hour.",
        service=ServiceFactory(),
        urgency="medium",
        impact="low",
    )


def _sent(key: str):
    message = OutboundEmail.objects.get(idempotency_key=key)
    assert outbound_email_deliver(message_id=message.pk) is True
    return mail.outbox[-1]


def test_every_email_about_a_ticket_is_in_its_thread_and_replies_come_back(ticket):
    agent = AgentFactory()
    ticket_services.ticket_reply(ticket=ticket, author=agent, body="Which VPN client?")

    confirmation = _sent(f"ticket-created:{ticket.pk}")
    reply = _sent(f"ticket-replied:{TicketMessage.objects.get().pk}")

    thread = thread_message_id("ticket", ticket.pk)
    for sent in (confirmation, reply):
        assert sent.extra_headers["In-Reply-To"] == thread
        assert sent.extra_headers["References"] == thread
        assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
        assert sent.reply_to == ["helpdesk@example.com"]
        assert sent.body.startswith(REPLY_ABOVE_LINE + "\n\n")
        assert f"[{ticket.reference}]" in sent.subject


def test_without_an_inbound_address_no_reply_to_and_no_marker(ticket, settings):
    settings.INBOUND_ADDRESS = ""
    ticket_services.ticket_reply(ticket=ticket, author=AgentFactory(), body="Which VPN client?")

    sent = _sent(f"ticket-replied:{TicketMessage.objects.get().pk}")

    assert sent.reply_to == []
    assert REPLY_ABOVE_LINE not in sent.body
    assert sent.extra_headers["In-Reply-To"] == thread_message_id("ticket", ticket.pk)  # still threaded


def _reply(ticket: Ticket, *, in_reply_to: str, subject: str = "Re: my problem", text: str) -> InboundEmail:
    message = EmailMessage()
    message["From"] = "Alice <ALICE@example.com>"
    message["To"] = "helpdesk@example.com"
    message["Subject"] = subject
    message["Message-ID"] = f"<reply-{abs(hash(text))}@mail.example.com>"
    message["In-Reply-To"] = in_reply_to
    message["References"] = in_reply_to
    message.set_content(text)
    inbound, _ = inbound_store(raw=bytes(message), via=InboundEmail.Via.PIPE)
    return inbound_process(inbound_id=inbound.pk)


def test_a_reply_finds_its_ticket_by_our_message_id_and_stops_at_the_marker(ticket):
    text = f"Cisco AnyConnect 5.\n\n{REPLY_ABOVE_LINE}\n\nHello Alice, which VPN client?"

    inbound = _reply(ticket, in_reply_to=thread_message_id("ticket", ticket.pk), text=text)

    assert (inbound.status, inbound.ticket) == (InboundEmail.Status.REPLY, ticket)
    assert TicketMessage.objects.get(ticket=ticket).body == "Cisco AnyConnect 5."


def test_a_forged_thread_id_finds_no_ticket(ticket):
    genuine = thread_message_id("ticket", ticket.pk)
    forged = genuine.replace(
        f"ticket.{ticket.pk}.", f"ticket.{ticket.pk + 1}."
    )  # another ticket, same digest
    guessed = f"<ticket.{ticket.pk}.0123456789abcdef@localhost>"

    assert thread_pk("ticket", [forged, guessed]) is None
    inbound = _reply(ticket, in_reply_to=guessed, text="Hello")
    assert inbound.status == InboundEmail.Status.TICKET and inbound.ticket != ticket


def test_the_answer_to_a_stranger_says_it_is_automatic_and_what_it_answers(ticket):
    message = EmailMessage()
    message["From"] = "stranger@elsewhere.example"
    message["Subject"] = "Hello?"
    message["Message-ID"] = "<stranger-9@elsewhere.example>"
    message.set_content("Anyone there?")
    inbound, _ = inbound_store(raw=bytes(message), via=InboundEmail.Via.PIPE)
    inbound_process(inbound_id=inbound.pk)

    sent = _sent(f"inbound-refused:{inbound.pk}")

    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert sent.extra_headers["In-Reply-To"] == "<stranger-9@elsewhere.example>"
    assert sent.extra_headers["X-Servicedesk-Loop"]


def test_our_own_mail_coming_back_is_ignored_by_its_loop_header(ticket):
    sent = _sent(f"ticket-created:{ticket.pk}")
    bounced_back = sent.message()
    del bounced_back["From"]
    bounced_back["From"] = "alice@example.com"  # as a forwarding rule would send it on

    inbound, _ = inbound_store(raw=bounced_back.as_bytes(), via=InboundEmail.Via.PIPE)
    inbound = inbound_process(inbound_id=inbound.pk)

    assert (inbound.status, inbound.reason) == (InboundEmail.Status.IGNORED, "Auto-Submitted: auto-generated")
