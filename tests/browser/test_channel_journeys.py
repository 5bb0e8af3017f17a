"""Every door in, in a browser: an agent logs a caller's request by keyboard and mouse, a
customer's reply sent from their mail client appears on their request in the portal, a colleague
copied on a request answers it, and an e-mail that failed is found on the Mail page and read
again."""

from email.message import EmailMessage

from playwright.sync_api import expect

from inbound.models import InboundEmail
from inbound.services import inbound_process, inbound_store
from notifications.services import thread_message_id
from tickets import services as ticket_services
from tickets.models import Service, Ticket

from ..accounts.factories import AgentFactory, CustomerFactory
from ..tickets.factories import ServiceFactory
from ..waiting import wait_until
from .test_ticket_journeys import _logged_in


def test_an_agent_logs_a_phone_request_for_a_caller(browser, live_server, transactional_db):
    ServiceFactory(name="Printers")
    CustomerFactory(first_name="Alice", last_name="Moreau", email="alice@example.com")
    sam = _logged_in(browser, live_server, AgentFactory(first_name="Sam"))

    sam.goto("/desk/")
    sam.get_by_role("link", name="Log a request").click()
    sam.get_by_label("Find the customer").fill("moreau")
    sam.get_by_label("Find the customer").press("Enter")
    sam.get_by_role("link", name="Log a request for Alice Moreau").click()
    expect(sam.get_by_role("heading", name="Log a request for Alice Moreau")).to_be_visible()
    sam.get_by_label("How did it reach you?").select_option("phone")
    sam.get_by_label("What is it about?").select_option(label="Printers")
    sam.get_by_label("Summary").fill("Printer <3rd floor> jams")
    sam.get_by_label("Details").fill("Called at 9:10, paper tray 2.")
    sam.get_by_role("button", name="Log the request").click()

    ticket = Ticket.objects.get()
    expect(sam.get_by_text(f"{ticket.reference} logged for Alice Moreau.")).to_be_visible()
    expect(sam.get_by_role("heading", name="Printer <3rd floor> jams")).to_be_visible()
    assert ticket.channel == Ticket.Channel.PHONE and ticket.customer.first_name == "Alice"


def test_a_reply_from_a_mail_client_appears_on_the_request_in_the_portal(
    browser, live_server, transactional_db
):
    alice = CustomerFactory(first_name="Alice", email="alice@example.com")
    ticket = ticket_services.ticket_create(
        customer=alice,
        title="VPN drops",
        description="Every hour.",
        service=ServiceFactory(),
        urgency="medium",
        impact="low",
    )
    reply = EmailMessage()
    reply["From"] = "Alice <alice@example.com>"
    reply["To"] = "helpdesk@example.com"
    reply["Subject"] = "Re: VPN drops"
    reply["Message-ID"] = "<alice-reply-1@mail.example.com>"
    reply["In-Reply-To"] = thread_message_id("ticket", ticket.pk)
    reply.set_content("It dropped again at <10:00>.\n\nOn Tue, IT wrote:\n> Which client?")
    inbound, _ = inbound_store(raw=bytes(reply), via=InboundEmail.Via.PIPE)
    inbound_process(inbound_id=inbound.pk)

    page = _logged_in(browser, live_server, alice)
    page.goto(f"/requests/{ticket.pk}/")

    expect(page.get_by_text("It dropped again at <10:00>.")).to_be_visible()
    expect(page.get_by_text("Which client?")).to_have_count(0)


def test_a_customer_copies_a_colleague_who_then_answers_in_the_portal(browser, live_server, transactional_db):
    alice = CustomerFactory(first_name="Alice", last_name="Moreau", email="alice@example.com")
    bob = CustomerFactory(first_name="Bob", last_name="Stone", email="bob@example.com")
    ticket = ticket_services.ticket_create(
        customer=alice,
        title="Shared drive is read-only",
        description="Since this morning.",
        service=ServiceFactory(),
        urgency="medium",
        impact="low",
    )

    page = _logged_in(browser, live_server, alice)
    page.goto(f"/requests/{ticket.pk}/")
    page.get_by_label("Colleague's e-mail address").fill("nobody@example.com")
    page.get_by_role("button", name="Copy them").click()
    expect(page.get_by_text("Nobody has an account with this address.")).to_be_visible()
    expect(page.get_by_label("Colleague's e-mail address")).to_have_value("nobody@example.com")
    page.get_by_label("Colleague's e-mail address").fill("bob@example.com")
    page.get_by_label("Colleague's e-mail address").press("Enter")
    expect(page.get_by_text("Bob Stone is copied on this request.")).to_be_visible()

    colleague = _logged_in(browser, live_server, bob)
    colleague.goto("/requests/")
    colleague.get_by_role("link", name="Shared drive is read-only").click()
    expect(colleague.get_by_text("Alice Moreau asked for this and copied you on it")).to_be_visible()
    colleague.get_by_label("Your reply").fill("Same on my machine: <drive S:> is read-only.")
    colleague.get_by_role("button", name="Send reply").click()
    expect(colleague.get_by_text("Same on my machine: <drive S:> is read-only.")).to_be_visible()

    page.reload()
    expect(page.get_by_text("Same on my machine: <drive S:> is read-only.")).to_be_visible()


def test_an_agent_finds_a_failed_email_and_reads_it_again_once_the_fault_is_fixed(
    browser, live_server, celery_worker
):
    """The catalog had no active entry when Alice wrote, so her e-mail could not open a request;
    once there is one again, the agent reads it again and the request opens."""
    printers = ServiceFactory(name="Printers", is_active=False)
    alice = CustomerFactory(first_name="Alice", email="alice@example.com")
    for n, subject in enumerate(["Printer <3rd floor> jams", "Automatic reply: away until Monday"]):
        message = EmailMessage()
        message["From"] = "Alice <alice@example.com>"
        message["To"] = "helpdesk@example.com"
        message["Subject"] = subject
        message["Message-ID"] = f"<alice-{n}@mail.example.com>"
        message.set_content("Paper tray 2, since this morning.")
        inbound, _ = inbound_store(raw=bytes(message), via=InboundEmail.Via.IMAP)
        inbound_process(inbound_id=inbound.pk)
    failed = InboundEmail.objects.get(subject="Printer <3rd floor> jams")
    assert failed.status == InboundEmail.Status.FAILED
    Service.objects.filter(pk=printers.pk).update(is_active=True)  # the fault, fixed
    sam = _logged_in(browser, live_server, AgentFactory(first_name="Sam"))

    sam.goto("/desk/")
    sam.get_by_role("link", name="Mail", exact=True).click()
    expect(sam.get_by_role("heading", name="Incoming e-mail")).to_be_visible()
    expect(sam.get_by_role("row")).to_have_count(3)  # the head, and both e-mails
    sam.get_by_role("link", name="Failed 1").click()
    expect(sam.get_by_role("row")).to_have_count(2)
    expect(sam.get_by_role("row").nth(1)).to_contain_text("No active catalog entry")
    sam.get_by_role("link", name="Printer <3rd floor> jams").click()
    expect(sam.get_by_role("heading", name="Printer <3rd floor> jams")).to_be_visible()
    expect(sam.get_by_text("Paper tray 2, since this morning.", exact=True)).to_be_visible()
    sam.get_by_role("button", name="Read it again").click()

    expect(sam.get_by_role("status")).to_contain_text("The e-mail will be read again in a moment")
    wait_until(lambda: InboundEmail.objects.get(pk=failed.pk).status == InboundEmail.Status.TICKET)
    sam.reload()
    ticket = Ticket.objects.get(customer=alice)
    expect(sam.get_by_role("link", name=f"{ticket.reference} Printer <3rd floor> jams")).to_be_visible()
    expect(sam.get_by_role("button", name="Read it again")).to_have_count(0)
    sam.get_by_role("link", name=f"{ticket.reference} Printer <3rd floor> jams").click()
    expect(sam.get_by_role("heading", name="Printer <3rd floor> jams")).to_be_visible()
