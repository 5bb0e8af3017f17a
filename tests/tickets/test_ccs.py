"""People copied on a request: the customer copies colleagues, they hear IT's public replies and
may answer, and they never see what is the customer's alone (internal notes, the promise that
follows the customer's category, the survey, reopening)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from tickets import services
from tickets.exceptions import TicketStateError
from tickets.models import Ticket, TicketCC, TicketEvent, TicketMessage

from ..accounts.factories import AgentFactory, CustomerFactory
from ..conftest import _client_for
from ..hostile import HOSTILE_INPUTS
from .factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer):
    return services.ticket_create(
        customer=customer,
        title="Shared drive is read-only",
        description="Since this morning.",
        service=TicketFactory().service,
        urgency="medium",
        impact="low",
    )


@pytest.fixture
def colleague():
    return CustomerFactory(first_name="Cora", last_name="Colleague", email="cora@example.com")


@pytest.fixture
def colleague_client(colleague):
    return _client_for(colleague)


def _copy(ticket, person, by):
    return services.ticket_cc_add(ticket=ticket, user=person, by=by)


def test_the_customer_copies_a_colleague_by_address_and_it_is_audited_and_told(
    customer_client, customer, ticket, colleague
):
    response = customer_client.post(
        reverse("tickets:cc_add", args=[ticket.pk]), {"email": "CORA@example.com"}
    )

    assert response.status_code == 302
    cc = TicketCC.objects.get(ticket=ticket)
    assert (cc.user, cc.added_by) == (colleague, customer)
    added = ticket.events.get(kind=TicketEvent.Kind.CC_ADDED)
    assert added.actor == customer and "cora@example.com" in added.new_value
    told = OutboundEmail.objects.get(template="tickets/cc_added")
    assert told.to_address == "cora@example.com" and ticket.reference in told.subject
    assert "Stop copying me" in told.body_text
    page = customer_client.get(ticket.get_absolute_url()).content.decode()
    assert "Cora Colleague" in page and "cora@example.com" in page


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "This field is required."),
        ("nobody@example.com", "Nobody has an account with this address."),
        ("not an address <at all>", "Enter a valid email address."),
    ],
)
def test_a_refused_address_is_explained_next_to_the_field_and_kept(customer_client, ticket, typed, error):
    response = customer_client.post(reverse("tickets:cc_add", args=[ticket.pk]), {"email": typed})

    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert 'id="id_email"' in page and 'aria-invalid="true"' in page
    if typed:
        assert 'value="not an address &lt;at all&gt;"' in page if "<" in typed else f'value="{typed}"' in page
    assert not TicketCC.objects.exists()


def test_copying_yourself_twice_or_too_many_is_refused(
    customer_client, customer, ticket, colleague, settings
):
    url = reverse("tickets:cc_add", args=[ticket.pk])
    assert "asked for this request" in customer_client.post(url, {"email": customer.email}).content.decode()
    _copy(ticket, colleague, customer)
    assert "is copied already" in customer_client.post(url, {"email": colleague.email}).content.decode()
    settings.TICKET_CC_MAX = 1
    other = CustomerFactory()
    response = customer_client.post(url, {"email": other.email})
    assert response.status_code == 400 and "at most 1 people copied" in response.content.decode()
    assert list(ticket.ccs.values_list("user", flat=True)) == [colleague.pk]


@pytest.mark.parametrize("typed", HOSTILE_INPUTS)
def test_hostile_text_in_the_address_field_is_refused_and_shown_inert(customer_client, ticket, typed):
    response = customer_client.post(reverse("tickets:cc_add", args=[ticket.pk]), {"email": typed})

    assert response.status_code == 400  # no hostile line is the address of an account
    assert not TicketCC.objects.exists()
    page = response.content.decode()
    assert "<script>alert" not in page


def test_a_copied_colleague_sees_the_conversation_but_nothing_of_the_customers_own(
    colleague_client, customer, ticket, colleague, agent
):
    _copy(ticket, colleague, customer)
    services.ticket_reply(ticket=ticket, author=agent, body="Public: remapping the drive.")
    services.ticket_reply(ticket=ticket, author=agent, body="INTERNAL: quota again", internal=True)

    page = colleague_client.get(ticket.get_absolute_url()).content.decode()

    assert "remapping the drive" in page
    assert "INTERNAL" not in page
    assert f"{customer.display_name} asked for this and copied you on it" in page
    assert "First answer" not in page  # the promise follows the customer's category
    assert "Stop copying me" in page
    assert "Copy them" not in page  # only the customer and IT copy people


def test_a_copied_colleague_is_not_offered_the_survey_or_reopening(colleague_client, customer, colleague):
    ticket = TicketFactory(
        customer=customer,
        status=Ticket.Status.RESOLVED,
        resolved_at=timezone.now() - timedelta(hours=1),
        sla_paused_at=timezone.now() - timedelta(hours=1),
    )
    TicketCC.objects.create(ticket=ticket, user=colleague, created_at=timezone.now())

    page = colleague_client.get(ticket.get_absolute_url()).content.decode()
    refused = colleague_client.post(reverse("tickets:reopen", args=[ticket.pk]), {"reason": "Still broken"})

    assert "Reopen this request" not in page
    assert "Grade" not in page and "grade" not in page
    assert refused.status_code == 400 and "Only the person who asked can reopen" in refused.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.RESOLVED


def test_copied_requests_are_listed_apart_and_others_stay_404(colleague_client, customer, ticket, colleague):
    _copy(ticket, colleague, customer)
    stranger_ticket = TicketFactory(title="Not hers at all")

    listing = colleague_client.get(reverse("tickets:my_requests")).content.decode()

    assert "Copied to me" in listing and ticket.title in listing and customer.display_name in listing
    assert stranger_ticket.title not in listing
    assert colleague_client.get(stranger_ticket.get_absolute_url()).status_code == 404


def test_my_requests_with_copied_requests_runs_constant_queries(
    colleague_client, colleague, django_assert_max_num_queries
):
    for ticket in TicketFactory.create_batch(30):
        TicketCC.objects.create(ticket=ticket, user=colleague, created_at=timezone.now())
    TicketFactory.create_batch(30, customer=colleague)

    # session, user, permissions (2), count and page of their own, count and page of the copied
    with django_assert_max_num_queries(8):
        response = colleague_client.get(reverse("tickets:my_requests"))

    assert response.content.decode().count('class="badge status-badge') == 50


def test_a_copied_colleagues_reply_is_from_the_customers_side(colleague_client, customer, ticket, colleague):
    agent = AgentFactory()
    services.ticket_claim(ticket=ticket, agent=agent)
    _copy(ticket, colleague, customer)

    colleague_client.post(reverse("tickets:reply", args=[ticket.pk]), {"body": "Same here, on floor 2."})

    message = TicketMessage.objects.get(ticket=ticket)
    assert (message.author, message.from_cc, message.from_requester_side) == (colleague, True, True)
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None  # a colleague is not IT answering
    keys = set(OutboundEmail.objects.values_list("idempotency_key", flat=True))
    assert f"ticket-customer-replied:{message.pk}" in keys  # the assignee hears
    assert f"ticket-replied:{message.pk}" in keys  # and the customer
    assert not any(key.startswith(f"ticket-replied:{message.pk}:") for key in keys)  # not the author
    page = colleague_client.get(ticket.get_absolute_url()).content.decode()
    assert page.count('<span class="badge text-bg-primary ms-1">IT</span>') == 0


def test_its_public_replies_reach_the_customer_and_everyone_copied_but_notes_do_not(
    customer, ticket, colleague
):
    second = CustomerFactory()
    _copy(ticket, colleague, customer)
    _copy(ticket, second, customer)
    agent = AgentFactory()

    reply = services.ticket_reply(ticket=ticket, author=agent, body="Fixed the permissions.")
    note = services.ticket_reply(ticket=ticket, author=agent, body="Quota", internal=True)
    services.ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED)

    replied = OutboundEmail.objects.filter(idempotency_key__startswith=f"ticket-replied:{reply.pk}")
    assert sorted(replied.values_list("to_address", flat=True)) == sorted(
        [customer.email, colleague.email, second.email]
    )
    note_mail = rf"^ticket-replied:{note.pk}(:|$)"
    assert not OutboundEmail.objects.filter(idempotency_key__regex=note_mail).exists()
    to_colleague = replied.get(to_address=colleague.email)
    assert "which you are copied on" in to_colleague.body_text
    resolved = OutboundEmail.objects.filter(template="tickets/resolved")
    assert resolved.count() == 3
    assert "Reopen it" not in resolved.get(to_address=colleague.email).body_text
    assert "Reopen it" in resolved.get(to_address=customer.email).body_text


def test_only_the_customer_or_it_copies_and_a_colleague_takes_only_themselves_off(
    colleague_client, customer, ticket, colleague
):
    other = CustomerFactory()
    _copy(ticket, colleague, customer)
    _copy(ticket, other, customer)

    with pytest.raises(TicketStateError):
        _copy(ticket, CustomerFactory(), colleague)
    refused = colleague_client.post(reverse("tickets:cc_remove", args=[ticket.pk, other.pk]))
    assert refused.status_code == 400 and "Only the person who asked, or IT" in refused.content.decode()
    assert ticket.ccs.count() == 2

    gone = colleague_client.post(reverse("tickets:cc_remove", args=[ticket.pk, colleague.pk]))

    assert gone.status_code == 302 and gone["Location"] == reverse("tickets:my_requests")
    assert colleague_client.get(ticket.get_absolute_url()).status_code == 404
    removed = ticket.events.get(kind=TicketEvent.Kind.CC_REMOVED)
    assert removed.actor == colleague and "cora@example.com" in removed.old_value


def test_the_customer_takes_someone_off_and_a_stranger_cannot_touch_the_list(
    customer_client, customer, ticket
):
    colleague = CustomerFactory()
    _copy(ticket, colleague, customer)
    stranger_client = _client_for(CustomerFactory())

    assert (
        stranger_client.post(
            reverse("tickets:cc_add", args=[ticket.pk]), {"email": "x@example.com"}
        ).status_code
        == 404
    )
    assert (
        stranger_client.post(reverse("tickets:cc_remove", args=[ticket.pk, colleague.pk])).status_code == 404
    )
    assert customer_client.post(reverse("tickets:cc_remove", args=[ticket.pk, 999999])).status_code == 404

    response = customer_client.post(reverse("tickets:cc_remove", args=[ticket.pk, colleague.pk]))

    assert response.status_code == 302 and not ticket.ccs.exists()


def test_agents_copy_and_uncopy_on_the_desk(agent_client, agent, ticket, colleague):
    added = agent_client.post(reverse("tickets:agent_cc_add", args=[ticket.pk]), {"email": colleague.email})
    assert added.status_code == 302
    assert ticket.ccs.get().added_by == agent
    page = agent_client.get(reverse("tickets:agent_detail", args=[ticket.pk])).content.decode()
    assert "Cora Colleague" in page and "copied someone on the request" in page  # the history says so

    unknown = agent_client.post(
        reverse("tickets:agent_cc_add", args=[ticket.pk]), {"email": "ghost@example.com"}
    )
    assert (
        unknown.status_code == 400 and "Nobody has an account with this address" in unknown.content.decode()
    )

    removed = agent_client.post(reverse("tickets:agent_cc_remove", args=[ticket.pk, colleague.pk]))
    assert removed.status_code == 302 and not ticket.ccs.exists()
    assert ticket.events.filter(kind=TicketEvent.Kind.CC_REMOVED, actor=agent).exists()


def test_the_desk_labels_a_colleagues_message(agent_client, customer, ticket, colleague):
    _copy(ticket, colleague, customer)
    services.ticket_reply(ticket=ticket, author=colleague, body="Me too.")

    page = agent_client.get(reverse("tickets:agent_detail", args=[ticket.pk])).content.decode()

    assert '<span class="badge text-bg-secondary">Copied on the request</span>' in page
    assert "Reply to customer" not in page


def test_the_ticket_pages_run_constant_queries_however_many_are_copied(
    customer_client, agent_client, customer, ticket
):
    def counted(client, url) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = {
        customer_client: ticket.get_absolute_url(),
        agent_client: reverse("tickets:agent_detail", args=[ticket.pk]),
    }
    _copy(ticket, CustomerFactory(), customer)
    for client, url in urls.items():
        counted(client, url)  # the first visit fills the caches (permissions, calendar)
    before = {client: counted(client, url) for client, url in urls.items()}
    for _ in range(9):
        _copy(ticket, CustomerFactory(), customer)

    assert {client: counted(client, url) for client, url in urls.items()} == before


def test_a_colleague_downloads_the_requests_files_but_not_an_internal_notes(
    colleague_client, customer, colleague
):
    agent = AgentFactory()
    ticket = TicketFactory(customer=customer)
    fix, secret = (
        SimpleUploadedFile(name, b"text", content_type="text/plain") for name in ("fix.txt", "secret.txt")
    )
    services.ticket_reply(ticket=ticket, author=agent, body="Public", attachments=[fix])
    services.ticket_reply(ticket=ticket, author=agent, body="Note", internal=True, attachments=[secret])
    public, internal = ticket.attachments.order_by("pk")

    assert colleague_client.get(reverse("tickets:attachment", args=[public.pk])).status_code == 404
    TicketCC.objects.create(ticket=ticket, user=colleague, created_at=timezone.now())
    assert colleague_client.get(reverse("tickets:attachment", args=[public.pk])).status_code == 200
    assert colleague_client.get(reverse("tickets:attachment", args=[internal.pk])).status_code == 404


def test_an_old_message_by_someone_no_longer_copied_still_reads_as_theirs(
    customer_client, customer, ticket, colleague
):
    _copy(ticket, colleague, customer)
    services.ticket_reply(ticket=ticket, author=colleague, body="Me too.")
    services.ticket_cc_remove(ticket=ticket, user=colleague, by=customer)

    page = customer_client.get(ticket.get_absolute_url()).content.decode()

    assert "Me too." in page
    assert '<span class="badge text-bg-primary ms-1">IT</span>' not in page


def test_a_stranger_cannot_reply_through_the_service(ticket):
    with pytest.raises(TicketStateError):
        services.ticket_reply(ticket=ticket, author=CustomerFactory(), body="Let me in")
    assert not TicketMessage.objects.exists()
