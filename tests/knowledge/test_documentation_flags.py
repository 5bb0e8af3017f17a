""" "Documentation missing / wrong" from a ticket: the owner is told once, or a draft is opened for
the service and the managers told; audited on the ticket; bad input answered next to the field;
customers never see a flag; the owner or a manager resolves it."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from knowledge import services
from knowledge.models import Article, DocumentationFlag
from notifications.models import Notification, OutboundEmail
from tickets.models import TicketEvent

from ..accounts.factories import AgentFactory, ManagerFactory
from ..api.conftest import ApiClient
from ..hostile import HOSTILE_INPUTS
from ..tickets.factories import TicketFactory
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _flag(client, ticket, **data):
    return client.post(reverse("knowledge:ticket_flag", args=[ticket.pk]), data)


def test_wrong_tells_the_article_owner_exactly_once_and_is_audited(agent_client, agent):
    owner = AgentFactory(email="owner@example.com")
    article = ArticleFactory(owner=owner)
    ticket = TicketFactory()

    response = _flag(
        agent_client, ticket, kind="wrong", article=article.pk, reason="Step 3 names the old client"
    )

    assert response.status_code == 200
    assert "who owns the article, was told" in response.content.decode()
    flag = DocumentationFlag.objects.get()
    assert (flag.kind, flag.article, flag.service, flag.ticket, flag.raised_by, flag.draft) == (
        "wrong",
        article,
        ticket.service,
        ticket,
        agent,
        None,
    )
    assert Notification.objects.filter(recipient=owner).count() == 1
    assert OutboundEmail.objects.filter(to_address="owner@example.com").count() == 1
    assert Notification.objects.count() == 1  # nobody else: no draft, no managers
    event = ticket.events.get(kind=TicketEvent.Kind.DOC_FLAGGED)
    assert (event.actor, event.note, event.new_value) == (
        agent,
        "Step 3 names the old client",
        "Documentation wrong",
    )
    assert LogEntry.objects.filter(object_id=str(article.pk), user=agent).exists()
    assert not Article.objects.filter(status=Article.Status.DRAFT).exists()


def test_missing_opens_a_draft_for_the_service_and_tells_the_managers(agent_client, agent):
    managers = ManagerFactory.create_batch(2)
    ticket = TicketFactory()

    _flag(agent_client, ticket, kind="missing", reason="Nothing on resetting the <b>badge</b> PIN")

    flag = DocumentationFlag.objects.get()
    draft = flag.draft
    assert (flag.kind, flag.article, flag.service) == ("missing", None, ticket.service)
    assert (draft.status, draft.audience, draft.owner) == ("draft", "staff", None)
    assert list(draft.services.all()) == [ticket.service]
    assert "> Nothing on resetting the <b>badge</b> PIN" in draft.body
    assert draft.versions.count() == 1
    for manager in managers:
        notice = Notification.objects.get(recipient=manager)
        assert notice.url == draft.get_absolute_url()
    assert ticket.events.filter(kind=TicketEvent.Kind.DOC_FLAGGED, actor=agent).count() == 1


def test_wrong_with_nobody_owning_the_article_opens_a_correction_draft(agent, manager):
    article = ArticleFactory(owner=None, title="Printer setup")
    ticket = TicketFactory()

    flag = services.documentation_flag_raise(
        ticket=ticket, by=agent, kind="wrong", article=article, reason="The floor names changed"
    )

    assert flag.draft.title == "Correction: Printer setup"
    assert list(flag.draft.services.all()) == [ticket.service]
    assert Notification.objects.filter(recipient=manager).count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "missing", "reason": ""}, "reason", "This field is required."),
        ({"kind": "missing", "reason": "x" * 301}, "reason", "at most 300 characters"),
        ({"kind": "wrong", "reason": "Out of date"}, "article", "Choose the article that is wrong."),
        ({"reason": "Out of date"}, "kind", "This field is required."),
    ],
)
def test_bad_input_is_answered_next_to_the_field_with_the_text_kept(agent_client, data, field, message):
    ticket = TicketFactory()

    response = _flag(agent_client, ticket, **data)

    assert response.status_code == 400
    assert message in " ".join(response.context["flag_form"].errors[field])
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    if data["reason"] and len(data["reason"]) <= 300:
        assert f'value="{data["reason"]}"' in response.content.decode()
    assert not DocumentationFlag.objects.exists()


TYPABLE = [text for text in HOSTILE_INPUTS if "\0" not in text and text.strip()]


@pytest.mark.parametrize("hostile", TYPABLE)
def test_a_hostile_reason_is_stored_as_typed_and_shown_inert(agent_client, agent, hostile):
    article = ArticleFactory(owner=agent)
    reason = hostile[:300]

    response = _flag(agent_client, TicketFactory(), kind="wrong", article=article.pk, reason=reason)

    assert response.status_code == 200, response.context["flag_form"].errors
    flag = DocumentationFlag.objects.get()
    assert flag.reason == reason.strip()
    page = agent_client.get(article.get_absolute_url()).content.decode()
    assert escape(flag.reason) in page
    listed = agent_client.get(reverse("knowledge:list") + "?view=flagged").content.decode()
    assert escape(flag.reason) in listed


def test_a_customer_never_sees_a_flag(agent, customer, customer_client):
    ticket = TicketFactory(customer=customer)
    reason = "Secret-ish reason 7f3a"
    services.documentation_flag_raise(ticket=ticket, by=agent, kind="missing", reason=reason)

    pages = [
        customer_client.get(reverse("tickets:detail", args=[ticket.pk])),
        ApiClient(customer).get(f"/api/v1/tickets/{ticket.pk}/"),
        ApiClient(customer).get(f"/api/v1/tickets/{ticket.pk}/messages/"),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert all(reason not in page.content.decode() for page in pages)
    assert not OutboundEmail.objects.filter(to_address=customer.email).exists()
    assert not Notification.objects.filter(recipient=customer).exists()


def test_the_owner_or_a_manager_resolves_a_flag_and_another_agent_is_refused(agent, manager):
    owner = AgentFactory()
    article = ArticleFactory(owner=owner)
    flags = [
        services.documentation_flag_raise(
            ticket=TicketFactory(), by=agent, kind="wrong", article=article, reason=f"Wrong {n}"
        )
        for n in range(2)
    ]
    url = reverse("knowledge:flag_resolve", args=[flags[0].pk])
    other_client, owner_client = Client(), Client()
    other_client.force_login(AgentFactory())
    owner_client.force_login(owner)

    refused = other_client.post(url)
    resolved = owner_client.post(url)
    services.documentation_flag_resolve(flag=flags[1], by=manager)

    assert refused.status_code == 403
    assert resolved.status_code == 302 and resolved["Location"] == article.get_absolute_url()
    assert [flag.resolved_by for flag in DocumentationFlag.objects.order_by("pk")] == [owner, manager]
    assert LogEntry.objects.filter(
        object_id=str(article.pk), user=owner, change_message__contains="resolved"
    ).exists()
    assert "Wrong 0" not in owner_client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("name", ["ticket_articles", "ticket_flag", "pick", "flag_resolve"])
def test_customers_are_refused_the_desk_knowledge_actions(customer_client, agent, name):
    ticket = TicketFactory()
    flag = services.documentation_flag_raise(ticket=ticket, by=agent, kind="missing", reason="x")
    args = {"ticket_articles": [ticket.pk], "ticket_flag": [ticket.pk], "pick": [], "flag_resolve": [flag.pk]}
    url = reverse(f"knowledge:{name}", args=args[name])

    assert customer_client.get(url).status_code == 403
    assert customer_client.post(url, {"kind": "missing", "reason": "x"}).status_code == 403
    assert DocumentationFlag.objects.count() == 1 and flag.resolved_at is None


def test_flag_pages_run_a_constant_number_of_queries(agent_client, agent, django_assert_max_num_queries):
    article = ArticleFactory(owner=agent)
    for n in range(12):
        services.documentation_flag_raise(
            ticket=TicketFactory(), by=AgentFactory(), kind="wrong", article=article, reason=f"Reason {n}"
        )
        services.documentation_flag_raise(ticket=TicketFactory(), by=agent, kind="missing", reason=f"Gap {n}")

    # session, user, permissions (2), the article, its tags, its services, its figures, the reader's
    # vote, its open flags, the desk banner's standards still to read
    with django_assert_max_num_queries(11):
        page = agent_client.get(article.get_absolute_url())
    # session, user, permissions (2), the services to browse, a page of open flags, the banner
    with django_assert_max_num_queries(9):
        listed = agent_client.get(reverse("knowledge:list") + "?view=flagged")

    assert page.content.decode().count("Mark resolved") == 12
    assert listed.content.decode().count("Reason ") == 12 and listed.content.decode().count("Gap ") == 12
