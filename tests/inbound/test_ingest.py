"""Incoming e-mail, read from the corpus in tests/data/mail/: each message is stored as received,
once, and read into what a person would expect (a request, a reply, or nothing with a reason)."""

import io
import sys
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from inbound.models import InboundEmail
from inbound.services import inbound_process, inbound_retry, inbound_store, inbound_sweep
from notifications.models import OutboundEmail
from tickets.models import Ticket, TicketMessage

from ..accounts.factories import AgentFactory, CustomerFactory
from ..hostile import HOSTILE_INPUTS
from ..tickets.factories import ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent.parent / "data" / "mail"


@pytest.fixture
def alice(db):
    ServiceFactory(name="Something else", slug="something-else")
    return CustomerFactory(username="alice", email="alice@example.com")


def _ingest(name: str, **replace) -> InboundEmail:
    raw = (CORPUS / name).read_bytes()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), str(new).encode())
    inbound, _ = inbound_store(raw=raw, via=InboundEmail.Via.PIPE)
    return inbound_process(inbound_id=inbound.pk)


def test_a_known_customer_writes_in_and_a_request_opens_with_the_usual_confirmation(alice):
    inbound = _ingest("plain-new-request.eml")

    assert inbound.status == InboundEmail.Status.TICKET
    ticket = inbound.ticket
    assert ticket.customer == alice  # the address matched without regard to case
    assert ticket.title == "Printer on floor 3 prints blank pages"
    assert ticket.description.startswith("Hello IT,\n\nThe printer by the kitchen prints blank pages")
    assert ticket.first_response_due_at is not None
    confirmation = OutboundEmail.objects.get(idempotency_key=f"ticket-created:{ticket.pk}")
    assert confirmation.to_address == "alice@example.com"
    assert f"[{ticket.reference}]" in confirmation.subject


def test_the_same_message_twice_is_one_request(alice):
    first = _ingest("plain-new-request.eml")
    second = _ingest("plain-new-request.eml")

    assert first.pk == second.pk
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.count() == 1


def test_a_message_without_message_id_is_known_by_its_bytes(alice):
    first = _ingest("no-message-id.eml")
    again = _ingest("no-message-id.eml")

    assert first.message_key.startswith("sha256:") and first.pk == again.pk
    assert Ticket.objects.count() == 1


def test_html_only_mail_becomes_text_and_nothing_runs(alice):
    inbound = _ingest("outlook-html-only.eml")

    ticket = inbound.ticket
    assert ticket.title == "Outlook crashes <when> I open the calendar"
    assert "Outlook shows 0x800CCC0E <script>alert(1)</script> and closes." in ticket.description
    assert "It started after the update.\nAlice" in ticket.description
    assert "alert('x')" not in ticket.description  # the page's own script is not text
    assert "color: red" not in ticket.description


@pytest.mark.parametrize(
    "name, title, text",
    [
        ("latin1.eml", "Drucker fällt aus", "Der Drucker im Büro fällt ständig aus. Grüße"),
        ("shift-jis.eml", "プリンター故障", "プリンターが動きません。"),
    ],
)
def test_charsets_other_than_utf8_decode_right(alice, name, title, text):
    ticket = _ingest(name).ticket

    assert ticket.title == title
    assert ticket.description == text


def test_a_reply_joins_its_ticket_by_the_reference_without_the_quote_or_signature(alice):
    ticket = TicketFactory(customer=alice, status=Ticket.Status.PENDING, sla_paused_at=timezone.now())

    inbound = _ingest("reply-quoted.eml", **{"{ticket}": ticket.pk})

    assert inbound.status == InboundEmail.Status.REPLY and inbound.ticket == ticket
    reply = TicketMessage.objects.get(ticket=ticket)
    assert reply.body == "It works again now, thank you!"
    assert reply.author == alice and not reply.is_internal
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN  # as a portal reply: the customer answered
    assert b"we replaced the toner" in bytes(inbound.raw)  # the whole message stays for staff


def test_someone_else_naming_a_ticket_opens_their_own_and_never_joins_it(alice):
    ticket = TicketFactory(customer=alice)
    other = CustomerFactory(email="bob@example.com")

    inbound = _ingest("reply-quoted.eml", **{"{ticket}": ticket.pk, "alice@example.com": "bob@example.com"})

    assert inbound.status == InboundEmail.Status.TICKET
    assert inbound.ticket.customer == other and inbound.ticket != ticket
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_an_agent_replying_by_email_answers_the_customer(alice):
    ticket = TicketFactory(customer=alice)
    agent = AgentFactory(email="sam@example.com")

    inbound = _ingest("reply-quoted.eml", **{"{ticket}": ticket.pk, "alice@example.com": "sam@example.com"})

    assert inbound.status == InboundEmail.Status.REPLY
    reply = TicketMessage.objects.get(ticket=ticket)
    assert reply.author == agent and not reply.is_internal


def test_a_reply_to_a_resolved_request_reopens_it(alice):
    ticket = TicketFactory(customer=alice, status=Ticket.Status.RESOLVED, resolved_at=timezone.now())

    _ingest("reply-quoted.eml", **{"{ticket}": ticket.pk})

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


@pytest.mark.parametrize(
    "name, reason",
    [
        ("auto-reply.eml", "Auto-Submitted: auto-replied"),
        ("out-of-office-subject.eml", "an automatic reply, by its subject"),
        ("bounce-dsn.eml", "a delivery report (multipart/report)"),
        ("from-ourselves.eml", "sent from the desk's own address"),
    ],
)
def test_machines_open_nothing_and_get_no_answer_but_are_kept(alice, name, reason):
    inbound = _ingest(name)

    assert (inbound.status, inbound.reason) == (InboundEmail.Status.IGNORED, reason)
    assert not Ticket.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert inbound.raw


def test_a_stranger_is_answered_politely_once_a_day(alice):
    first = _ingest("stranger.eml")
    _ingest("stranger.eml", **{"stranger-001": "stranger-002"})

    assert first.status == InboundEmail.Status.REFUSED
    assert not Ticket.objects.exists()
    answer = OutboundEmail.objects.get()
    assert answer.to_address == "stranger@elsewhere.example"
    assert answer.subject == "Re: Please reset my password"
    assert "no account at the service desk has this address" in answer.body_text


def test_attachments_are_kept_and_a_refused_one_is_named(alice):
    ticket = _ingest("attachments-no-text.eml").ticket

    assert [a.original_name for a in ticket.attachments.all()] == ["error.png"]
    assert ticket.description == (
        "(The e-mail had no text.)\n\n"
        "Not kept from the e-mail: tool.exe (files of this type cannot be attached)."
    )


def test_a_malformed_message_is_read_as_well_as_it_can_be(alice):
    """A part never closed, a charset nobody knows: the text still comes through (Windows-1252)."""
    inbound = _ingest("malformed.eml")

    assert inbound.status == InboundEmail.Status.TICKET
    assert inbound.ticket.description == "Café machine"


def test_a_message_that_fails_is_kept_with_its_error_and_read_again_on_retry(alice, monkeypatch):
    import inbound.services as services

    def broken(*args, **kwargs):
        raise ValueError("the parser met something new")

    monkeypatch.setattr(services.mailparse, "parse", broken)
    inbound = _ingest("plain-new-request.eml")
    assert (inbound.status, inbound.error) == (
        InboundEmail.Status.FAILED,
        "ValueError: the parser met something new",
    )
    # The reading rolled back, but staff still see who wrote, about what, and that it was tried.
    assert (inbound.from_address, inbound.subject) == (
        "alice@example.com",
        "Printer on floor 3 prints blank pages",
    )
    assert inbound.attempts == 1
    monkeypatch.undo()

    with transaction.atomic():
        assert inbound_retry(inbound=inbound, by=AgentFactory())
    inbound = inbound_process(inbound_id=inbound.pk)
    assert inbound.status == InboundEmail.Status.TICKET and inbound.error == ""
    assert inbound.attempts == 2


def test_the_sweep_reads_what_its_task_never_did(alice):
    raw = (CORPUS / "plain-new-request.eml").read_bytes()
    inbound, _ = inbound_store(raw=raw, via=InboundEmail.Via.IMAP, now=timezone.now() - timedelta(minutes=2))

    assert inbound_sweep() == 1
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.TICKET


def test_ingest_email_reads_standard_input_and_says_what_it_stored(alice, monkeypatch):
    raw = (CORPUS / "plain-new-request.eml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()

    call_command("ingest_email", stdout=out)

    inbound = InboundEmail.objects.get()
    assert bytes(inbound.raw) == raw  # exactly as received
    assert (
        out.getvalue().strip() == f"Stored as incoming e-mail {inbound.pk} (<CAFplain001@mail.example.com>)."
    )


def test_ingest_email_with_nothing_to_store_asks_the_mta_to_try_again(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))

    with pytest.raises(CommandError) as refused:
        call_command("ingest_email")

    assert refused.value.returncode == 75


@pytest.mark.parametrize("text", HOSTILE_INPUTS)
def test_hostile_text_by_email_is_kept_as_written_and_shown_inert(alice, customer_client, text):
    """The corpus as an e-mail's body and subject: stored as written (NUL, which e-mail and
    Postgres cannot carry, aside), and the customer's page shows it escaped."""
    message = EmailMessage()
    message["From"] = "alice@example.com"
    message["To"] = "helpdesk@example.com"
    message["Message-ID"] = f"<hostile-{abs(hash(text))}@example.com>"
    message["Subject"] = " ".join(text.replace("\0", "").split()) or "empty"
    message.set_content(text.replace("\0", "") or "empty")

    inbound, _ = inbound_store(raw=bytes(message), via=InboundEmail.Via.PIPE)
    inbound = inbound_process(inbound_id=inbound.pk)

    assert inbound.status == InboundEmail.Status.TICKET, inbound.error
    ticket = inbound.ticket
    assert ticket.title == message["Subject"][:200]
    body = text.replace("\0", "").replace("\r\n", "\n").replace("\r", "\n").strip() or "empty"
    assert ticket.description == body
    customer_client.force_login(alice)
    page = customer_client.get(ticket.get_absolute_url()).content.decode()
    assert "<script>alert" not in page


def test_an_agent_forwarding_a_customers_email_opens_the_request_for_the_customer(alice):
    agent = AgentFactory(email="sam@example.com")

    inbound = _ingest("forwarded-by-agent.eml")

    assert inbound.status == InboundEmail.Status.TICKET
    assert inbound.reason == f"Forwarded by {agent.display_name}."
    ticket = inbound.ticket
    assert ticket.customer == alice
    assert "Hi Sam, my laptop stopped charging overnight." in ticket.description
    assert ticket.description.startswith("Logging this for Alice")


def test_staff_mail_that_names_no_request_and_forwards_nothing_opens_nothing(alice):
    AgentFactory(email="sam@example.com")

    inbound = _ingest("plain-new-request.eml", **{"Alice@Example.com": "sam@example.com"})

    assert inbound.status == InboundEmail.Status.REFUSED
    assert not Ticket.objects.exists() and not OutboundEmail.objects.exists()


def test_a_stranger_gets_an_account_and_a_request_when_the_desk_is_set_so(alice, settings):
    settings.INBOUND_UNKNOWN_SENDERS = "create"

    inbound = _ingest("stranger.eml")

    assert inbound.status == InboundEmail.Status.TICKET
    customer = inbound.ticket.customer
    assert (customer.email, customer.first_name, customer.last_name) == (
        "stranger@elsewhere.example",
        "Someone",
        "Else",
    )
    assert not customer.has_usable_password()


def test_one_address_sending_too_much_is_kept_and_not_read(alice, settings):
    settings.INBOUND_SENDER_LIMIT_PER_HOUR = 2

    read = [_ingest("plain-new-request.eml", **{"CAFplain001": f"loop-{n}"}) for n in range(3)]

    assert [m.status for m in read] == ["ticket", "ticket", "ignored"]
    assert read[2].reason == "More than 2 e-mails from this address in an hour."
    assert Ticket.objects.count() == 2
