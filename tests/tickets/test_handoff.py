"""Services other teams handle: the new-request form groups them and shows their hand-off where IT's
promise would be; the redirect guidance gives the form, phone and e-mail as links."""

import re

import pytest
from django.urls import reverse

from core.markdown import render_markdown
from notifications.models import OutboundEmail
from tickets.models import Ticket
from tickets.services import ticket_redirect, ticket_teach_process

from ..hostile import HOSTILE_INPUTS
from ..html_safety import assert_inert_html
from .factories import OutOfScopeServiceFactory, ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db

DID_NOT_KNOW = Ticket.RootCause.DID_NOT_KNOW_PROCESS


def test_the_form_groups_the_services_other_teams_handle(customer_client):
    ServiceFactory(name="Laptops and desktops")
    OutOfScopeServiceFactory(name="Printer paper")

    page = customer_client.get(reverse("tickets:submit")).content.decode()

    select = re.search(r'<select name="service".*?</select>', page, re.S).group(0)
    ours, theirs = select.split('<optgroup label="Handled by other teams">')
    assert "Laptops and desktops" in ours and "Printer paper" not in ours
    assert "Printer paper" in theirs and "Laptops and desktops" not in theirs


def test_choosing_another_teams_service_shows_the_hand_off_instead_of_the_promise(customer_client):
    paper = OutOfScopeServiceFactory(contact_email="fran@example.com")
    laptops = ServiceFactory()
    url = reverse("tickets:submit_expectation")

    hand_off = customer_client.get(url, {"service": paper.pk, "urgency": "high", "impact": "high"})
    promise = customer_client.get(url, {"service": laptops.pk, "urgency": "high", "impact": "high"})

    assert hand_off.status_code == 200
    page = hand_off.content.decode()
    assert 'id="sla-expectation"' in page
    assert "What you can expect" not in page
    assert "Facilities looks after this, not IT" in page
    assert f'<a href="{paper.form_url}"' in page
    assert '<a href="tel:+442079460000">+44 20 7946 0000</a>' in page
    assert '<a href="mailto:fran@example.com">fran@example.com</a>' in page
    assert "What you can expect" in promise.content.decode()


def test_the_form_coming_back_with_errors_keeps_the_hand_off_in_place_of_the_promise(customer_client):
    paper = OutOfScopeServiceFactory()

    page = customer_client.post(
        reverse("tickets:submit"), {"service": paper.pk, "title": ""}
    ).content.decode()

    box = page.split('id="sla-expectation"', 1)[1].split("</div>", 1)[0]
    assert "Facilities looks after this, not IT" in box


def test_redirect_guidance_gives_links_and_says_reopen_not_reply(agent, customer, customer_client):
    ticket = TicketFactory(customer=customer)
    paper = OutOfScopeServiceFactory(contact_email="fran@example.com", contact_phone="+44 (20) 7946-0000")
    ticket_redirect(ticket=ticket, by=agent, to_service=paper, root_cause=DID_NOT_KNOW)

    page = customer_client.get(ticket.get_absolute_url()).content.decode()

    assert '<a href="https://intranet.example/facilities/order" rel="noopener noreferrer nofollow">' in page
    assert '<a href="tel:+442079460000" rel="noopener noreferrer nofollow">+44 (20) 7946-0000</a>' in page
    assert '<a href="mailto:fran@example.com" rel="noopener noreferrer nofollow">fran@example.com</a>' in page
    assert "reopen this request within 14 days" in page
    assert "reply here" not in page
    email = OutboundEmail.objects.get(template="tickets/replied")
    assert 'href="tel:+442079460000"' in email.body_html
    assert "reply here" not in email.body_text


def test_teaching_the_process_keeps_reply_here(agent):
    ticket = TicketFactory()

    message = ticket_teach_process(ticket=ticket, by=agent, to_service=OutOfScopeServiceFactory())

    assert "reply here" in message.body
    assert "reopen" not in message.body


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_guidance_and_hand_off_render_inert(agent, customer_client, hostile):
    typed = hostile.replace("\0", "")
    paper = OutOfScopeServiceFactory(
        owning_department=typed[:100], contact_name=typed[:100], contact_phone=typed[:40], process_steps=typed
    )
    ticket = TicketFactory()
    ticket_redirect(ticket=ticket, by=agent, to_service=paper, root_cause=DID_NOT_KNOW, note=typed)

    assert typed in ticket.messages.get().body
    assert_inert_html(render_markdown(ticket.messages.get().body))
    response = customer_client.get(reverse("tickets:submit_expectation"), {"service": paper.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
    assert "<svg onload" not in page
    assert '<a href="javascript:' not in page.lower()
