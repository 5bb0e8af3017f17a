"""A reply or note from IT counts each article it links, once per message, wherever it was written
(the desk, the API); a public reply linking an article customers cannot open is refused, saying why."""

from email.message import EmailMessage

import pytest
from django.conf import settings
from django.urls import reverse

from inbound.models import InboundEmail
from inbound.services import inbound_process, inbound_store
from knowledge.models import Article, ArticleUse
from tickets import services as ticket_services
from tickets.models import TicketMessage

from ..accounts.factories import AgentFactory
from ..api.conftest import ApiClient
from ..tickets.factories import TicketFactory
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _used(message: TicketMessage) -> list[int]:
    return sorted(ArticleUse.objects.filter(message=message).values_list("article_id", flat=True))


def test_links_typed_by_hand_count_once_per_message_relative_or_absolute(agent):
    first, second, third, elsewhere = ArticleFactory.create_batch(4)
    body = (
        f"See [the steps](/help/{first.pk}/) and again /help/{first.pk}/.\n"
        f"Also {settings.SITE_URL}/help/{second.pk}/ and <{settings.SITE_URL}/desk/knowledge/{third.pk}/>.\n"
        f"Not ours: https://other.example/help/{elsewhere.pk}/ nor /help/999999/."
    )

    message = ticket_services.ticket_reply(ticket=TicketFactory(), author=agent, body=body)

    assert _used(message) == sorted([first.pk, second.pk, third.pk])
    assert set(ArticleUse.objects.values_list("used_by", flat=True)) == {agent.pk}


def test_each_reply_counts_again_but_a_customer_reply_does_not(agent):
    article = ArticleFactory()
    ticket = TicketFactory()
    link = f"/help/{article.pk}/"

    ticket_services.ticket_reply(ticket=ticket, author=agent, body=link)
    ticket_services.ticket_reply(ticket=ticket, author=agent, body=f"{link} once more")
    ticket_services.ticket_reply(ticket=ticket, author=ticket.customer, body=f"I read {link}")

    assert ArticleUse.objects.filter(article=article).count() == 2


def test_a_staff_only_article_linked_in_an_internal_note_counts(agent):
    staff_only = ArticleFactory(audience=Article.Audience.STAFF)

    note = ticket_services.ticket_reply(
        ticket=TicketFactory(), author=agent, body=f"Runbook: /desk/knowledge/{staff_only.pk}/", internal=True
    )

    assert _used(note) == [staff_only.pk]


@pytest.mark.parametrize("hidden", [{"audience": "staff"}, {"status": "draft"}])
def test_a_public_reply_linking_what_customers_cannot_open_is_refused_with_the_reason_and_text_kept(
    agent_client, hidden
):
    article = ArticleFactory(title="Admin override steps", **hidden)
    ticket = TicketFactory()
    typed = f"Try this: {settings.SITE_URL}/desk/knowledge/{article.pk}/"

    response = agent_client.post(reverse("tickets:agent_reply", args=[ticket.pk]), {"body": typed})

    assert response.status_code == 400
    content = response.content.decode()
    assert "Admin override steps" in content and "internal note" in content
    assert typed in content  # the reply as typed, in the textarea again
    assert not TicketMessage.objects.filter(ticket=ticket).exists()
    assert not ArticleUse.objects.exists()


def test_an_api_reply_counts_its_links_and_is_refused_a_staff_only_one(agent):
    public, staff_only = ArticleFactory(), ArticleFactory(audience=Article.Audience.STAFF)
    ticket = TicketFactory()
    api = ApiClient(agent)
    url = f"/api/v1/tickets/{ticket.pk}/messages/"

    sent = api.post(url, {"body": f"See /help/{public.pk}/"})
    refused = api.post(url, {"body": f"See /desk/knowledge/{staff_only.pk}/"})

    assert sent.status_code == 201
    assert refused.status_code == 409
    assert "customers cannot open" in refused.content.decode()
    assert list(ArticleUse.objects.values_list("article_id", flat=True)) == [public.pk]


def test_an_agent_replying_by_email_counts_the_article_and_a_staff_only_link_fails_visibly(settings):
    settings.INBOUND_ADDRESS = "helpdesk@example.com"
    AgentFactory(email="sam@example.com")
    public, staff_only = ArticleFactory(), ArticleFactory(audience=Article.Audience.STAFF)
    ticket = TicketFactory()

    def by_email(text: str) -> InboundEmail:
        message = EmailMessage()
        message["From"], message["To"] = "Sam <sam@example.com>", "helpdesk@example.com"
        message["Subject"] = f"Re: [{ticket.reference}] Your request"
        message["Message-ID"] = f"<{abs(hash(text))}@mail.example.com>"
        message.set_content(text)
        return inbound_process(inbound_id=inbound_store(raw=bytes(message), via=InboundEmail.Via.PIPE)[0].pk)

    sent = by_email(f"The steps: {settings.SITE_URL}/help/{public.pk}/")
    refused = by_email(f"Runbook: {settings.SITE_URL}/desk/knowledge/{staff_only.pk}/")

    assert sent.status == InboundEmail.Status.REPLY
    assert list(ArticleUse.objects.values_list("article_id", flat=True)) == [public.pk]
    assert refused.status == InboundEmail.Status.FAILED  # shown on Mail with the reason; nothing sent
    assert "customers cannot open" in refused.error
    assert ticket.messages.count() == 1
