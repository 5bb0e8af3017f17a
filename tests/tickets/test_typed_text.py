"""What a person types (replies, notes, reasons) shows exactly as typed: pages and both e-mail parts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from tickets import services
from tickets.models import Ticket

from ..hostile import HOSTILE_INPUTS
from ..html_safety import assert_inert_html
from .factories import TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reason", ["Error: `<NoSignal>`", "Error: <NoSignal>"])
def test_a_reopen_reason_with_angle_brackets_shows_them(customer_client, agent_client, customer, reason):
    ticket = TicketFactory(
        customer=customer,
        status=Ticket.Status.RESOLVED,
        resolved_at=timezone.now() - timedelta(days=1),
        sla_paused_at=timezone.now() - timedelta(days=1),
    )

    customer_client.post(reverse("tickets:reopen", args=[ticket.pk]), {"reason": reason})

    assert ticket.messages.get().body == reason
    for page in (
        customer_client.get(ticket.get_absolute_url()),
        agent_client.get(reverse("tickets:agent_detail", args=[ticket.pk])),
    ):
        assert page.status_code == 200
        assert "&lt;NoSignal&gt;" in page.content.decode()


def test_an_old_message_shows_its_markup_as_text(customer_client, customer):
    ticket = TicketFactory(customer=customer, description="The log says <Timeout after=30s/>")
    TicketMessageFactory(ticket=ticket, body="<b>still</b> **broken**: <NoSignal>")

    page = customer_client.get(ticket.get_absolute_url()).content.decode()

    assert "&lt;Timeout after=30s/&gt;" in page
    assert "&lt;b&gt;still&lt;/b&gt; <strong>broken</strong>: &lt;NoSignal&gt;" in page


def test_both_parts_of_the_reply_email_show_the_text_as_typed(customer, agent):
    ticket = TicketFactory(customer=customer)
    typed = 'Please paste this:\n\n    <add key="Proxy" value="on"/>\n\nError: <NoSignal> is **gone**'

    services.ticket_reply(ticket=ticket, author=agent, body=typed)

    email = OutboundEmail.objects.get(template="tickets/replied")
    assert typed in email.body_text
    assert '<pre><code>&lt;add key="Proxy" value="on"/&gt;' in email.body_html
    assert "Error: &lt;NoSignal&gt; is <strong>gone</strong>" in email.body_html


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_replies_reach_the_email_as_typed_and_inert(customer, agent, hostile):
    typed = hostile.replace("\0", "")
    ticket = TicketFactory(customer=customer)

    services.ticket_reply(ticket=ticket, author=agent, body=typed)

    email = OutboundEmail.objects.get(template="tickets/replied")
    assert typed in email.body_text
    body = email.body_html.split("<blockquote>", 1)[1].split("</blockquote>", 1)[0]
    assert_inert_html(body)
