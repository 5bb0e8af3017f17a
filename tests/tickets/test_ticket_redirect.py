"""Out-of-scope requests are redirected with guidance, never a flat no."""

import pytest
from django.urls import reverse

from notifications.models import OutboundEmail
from tickets.exceptions import TicketStateError
from tickets.models import Ticket, TicketEvent
from tickets.services import ticket_redirect

from .factories import OutOfScopeServiceFactory, ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_redirect_gives_the_official_process_and_records_the_root_cause(agent):
    ticket = TicketFactory()
    paper = OutOfScopeServiceFactory()

    ticket_redirect(
        ticket=ticket,
        by=agent,
        to_service=paper,
        root_cause=Ticket.RootCause.DID_NOT_KNOW_PROCESS,
        note="Hi!",
    )

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.resolution == Ticket.Resolution.REDIRECTED
    assert ticket.root_cause == Ticket.RootCause.DID_NOT_KNOW_PROCESS
    assert ticket.first_responded_at is not None
    guidance = ticket.messages.get()
    assert not guidance.is_internal
    for expected in (
        "Hi!",
        "**Facilities**",
        "Open the Facilities order form.",
        paper.form_url,
        "Fran Facilities",
    ):
        assert expected in guidance.body
    assert ticket.events.filter(kind=TicketEvent.Kind.REDIRECTED, new_value=paper.name).exists()
    assert OutboundEmail.objects.filter(
        template="tickets/replied", body_text__contains=paper.form_url
    ).exists()


def test_redirecting_to_something_it_does_itself_is_refused(agent):
    with pytest.raises(TicketStateError, match="IT provides"):
        ticket_redirect(
            ticket=TicketFactory(),
            by=agent,
            to_service=ServiceFactory(),
            root_cause=Ticket.RootCause.BYPASSED_PROCESS,
        )


def test_a_redirect_cannot_call_the_request_its_own_work(agent_client):
    ticket = TicketFactory()
    paper = OutOfScopeServiceFactory()

    response = agent_client.post(
        reverse("tickets:agent_redirect", args=[ticket.pk]), {"to_service": paper.pk, "root_cause": "it_work"}
    )

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
