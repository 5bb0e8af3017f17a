"""The customer's category is internal: no page, title, CSS class or e-mail of theirs may show it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerCategory, CustomerProfile
from notifications.models import OutboundEmail
from surveys.services import survey_link, surveys_due_send
from tickets.services import ticket_create, ticket_reply, ticket_root_cause_record, ticket_status_change

from ..tickets.factories import OutOfScopeServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db

CATEGORY_WORDS = re.compile(r"\bvip\b|repeat[ _-]?offender|customer[ _-]?category|category", re.IGNORECASE)


@pytest.mark.parametrize("category", [CustomerCategory.VIP, CustomerCategory.REPEAT_OFFENDER])
def test_no_customer_facing_page_or_email_mentions_the_category(customer_client, customer, agent, category):
    CustomerProfile.objects.create(user=customer, category=category)
    service = ServiceFactory(name="Laptops")
    out_of_scope = OutOfScopeServiceFactory()
    ticket = ticket_create(
        customer=customer, title="Laptop", description="Broken", service=service, urgency="low", impact="low"
    )
    ticket_reply(ticket=ticket, author=agent, body="On it")
    ticket_root_cause_record(ticket=ticket, by=agent, root_cause="process_broken")
    ticket_status_change(ticket=ticket, by=agent, status="resolved")
    survey = ticket.surveys.get()
    assert survey.customer_category == category  # kept for the report card, never shown to them
    surveys_due_send(now=timezone.now() + timedelta(days=1))  # the invitation
    surveys_due_send(now=timezone.now() + timedelta(days=5))  # the reminder
    survey_url = reverse("surveys:answer", args=[survey.pk])
    token_url = survey_link(survey)

    pages = [
        reverse("core:home"),
        reverse("tickets:my_requests"),
        reverse("tickets:submit"),
        reverse("tickets:submit_expectation") + "?urgency=high&impact=high",
        reverse("tickets:submit_expectation") + f"?service={out_of_scope.pk}",
        reverse("tickets:catalog"),
        service.get_absolute_url(),
        ticket.get_absolute_url(),
        reverse("accounts:password_change"),
        survey_url,
        token_url,
    ]
    for url in pages:
        page = customer_client.get(url).content.decode()
        assert not CATEGORY_WORDS.search(page), (url, CATEGORY_WORDS.search(page))
    # After answering: the thanks page, the answer read back, the request page with its grade.
    customer_client.post(token_url, {"grade": "F", "comment": "Slow"})
    for url in (token_url + "thanks/", survey_url, ticket.get_absolute_url()):
        page = customer_client.get(url).content.decode()
        assert not CATEGORY_WORDS.search(page), (url, CATEGORY_WORDS.search(page))
    assert (
        OutboundEmail.objects.filter(to_address=customer.email, template__startswith="surveys/").count() == 2
    )
    for email in OutboundEmail.objects.filter(to_address=customer.email):
        for text in (email.subject, email.body_text, email.body_html):
            assert not CATEGORY_WORDS.search(text), (email.template, text)


def test_the_check_itself_would_catch_a_leak():
    assert CATEGORY_WORDS.search('<span class="badge">VIP</span>')
    assert CATEGORY_WORDS.search("repeat_offender")
