"""The Cc of an e-mailed request: the colleagues on it are copied on the request, hear IT's
replies in their mail client, and their answers come back onto it from the customer's side."""

from email.message import EmailMessage

import pytest

from inbound.models import InboundEmail
from inbound.services import inbound_process, inbound_store
from notifications.models import OutboundEmail
from notifications.services import thread_message_id
from tickets import services as ticket_services
from tickets.models import TicketEvent, TicketMessage

from ..accounts.factories import AgentFactory, CustomerFactory
from ..tickets.factories import ServiceFactory
from .test_ingest import CORPUS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _desk(settings):
    settings.INBOUND_ADDRESS = "helpdesk@example.com"
    settings.INBOUND_UNKNOWN_SENDERS = "answer"
    ServiceFactory(slug=settings.INBOUND_SERVICE_SLUG)


def _ingest(*, sender: str, subject: str, text: str, cc: str = "", in_reply_to: str = "") -> InboundEmail:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "IT Helpdesk <helpdesk@example.com>"
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, subject, text)))}@mail.example.com>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content(text)
    inbound, _ = inbound_store(raw=bytes(message), via=InboundEmail.Via.PIPE)
    return inbound_process(inbound_id=inbound.pk)


def test_the_colleagues_on_cc_are_copied_and_the_rest_named_in_the_history():
    alice = CustomerFactory(email="alice@example.com")
    bob = CustomerFactory(email="bob@example.com")

    inbound = _ingest(
        sender="Alice <alice@example.com>",
        subject="Printer on floor 3 jams",
        text="Every second page.",
        cc="Bob <BOB@example.com>, helpdesk@example.com, alice@example.com, outsider@elsewhere.example",
    )

    ticket = inbound.ticket
    assert inbound.status == InboundEmail.Status.TICKET and ticket.customer == alice
    assert [cc.user for cc in ticket.ccs.all()] == [bob]  # not the desk, not Alice herself
    assert ticket.ccs.get().added_by is None  # the desk did it, from the e-mail
    refused = ticket.events.get(kind=TicketEvent.Kind.CC_NOT_ADDED)
    assert (refused.new_value, refused.note) == ("outsider@elsewhere.example", "No account has this address.")
    assert OutboundEmail.objects.filter(template="tickets/cc_added", to_address="bob@example.com").exists()


def test_with_accounts_for_strangers_a_stranger_on_cc_gets_one_and_is_copied(settings):
    settings.INBOUND_UNKNOWN_SENDERS = "create"
    CustomerFactory(email="alice@example.com")

    inbound = _ingest(
        sender="alice@example.com",
        subject="New starter",
        text="Needs a laptop.",
        cc="new.starter@example.com",
    )

    copied = inbound.ticket.ccs.get().user
    assert copied.email == "new.starter@example.com" and not copied.has_usable_password()


def test_a_colleagues_emailed_answer_joins_the_ticket_from_the_customers_side():
    alice = CustomerFactory(email="alice@example.com")
    bob = CustomerFactory(email="bob@example.com")
    opened = _ingest(sender="alice@example.com", subject="VPN drops", text="Hourly.", cc="bob@example.com")
    ticket = opened.ticket
    agent = AgentFactory()
    ticket_services.ticket_claim(ticket=ticket, agent=agent)
    reply = ticket_services.ticket_reply(ticket=ticket, author=agent, body="Which client?")
    to_bob = OutboundEmail.objects.get(idempotency_key=f"ticket-replied:{reply.pk}:{bob.pk}")
    assert to_bob.thread == thread_message_id("ticket", ticket.pk)

    answer = _ingest(
        sender="Bob <bob@example.com>",
        subject=f"Re: [{ticket.reference}] VPN drops",
        text="Mine drops too, AnyConnect 5.",
        in_reply_to=to_bob.thread,
    )

    assert (answer.status, answer.ticket) == (InboundEmail.Status.REPLY, ticket)
    message = TicketMessage.objects.get(ticket=ticket, author=bob)
    assert message.from_cc and message.body == "Mine drops too, AnyConnect 5."
    assert OutboundEmail.objects.filter(idempotency_key=f"ticket-customer-replied:{message.pk}").exists()
    assert OutboundEmail.objects.filter(
        idempotency_key=f"ticket-replied:{message.pk}", to_address=alice.email
    ).exists()


def test_someone_not_copied_who_names_the_ticket_opens_their_own():
    CustomerFactory(email="alice@example.com")
    CustomerFactory(email="carol@example.com")
    ticket = _ingest(sender="alice@example.com", subject="VPN drops", text="Hourly.").ticket

    inbound = _ingest(
        sender="carol@example.com",
        subject=f"Re: [{ticket.reference}] VPN drops",
        text="Me too",
        in_reply_to=thread_message_id("ticket", ticket.pk),
    )

    assert inbound.status == InboundEmail.Status.TICKET and inbound.ticket != ticket
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_a_cc_header_too_broken_to_parse_still_opens_the_request_and_says_so():
    """The corpus's broken-cc.eml: Python's address parser raises on its Cc (an encoded word of
    one invalid byte and a lone "<"). The request opens; the history shows the header as written."""
    CustomerFactory(email="alice@example.com")
    raw = (CORPUS / "broken-cc.eml").read_bytes()
    inbound, _ = inbound_store(raw=raw, via=InboundEmail.Via.PIPE)

    inbound = inbound_process(inbound_id=inbound.pk)

    assert inbound.status == InboundEmail.Status.TICKET
    assert inbound.ticket.description == "The VPN says my certificate expired this morning."
    unreadable = inbound.ticket.events.get(kind=TicketEvent.Kind.CC_NOT_ADDED)
    assert unreadable.new_value == "=?utf-8?b?\ufffd?= <"
    assert "could not be read in full" in unreadable.note
    assert not inbound.ticket.ccs.exists()
