"""The desk ticket page's knowledge panel: suggested articles (the service's, then title matches;
staff-only ones marked and meant for notes), what each button inserts, the search, constant queries."""

import pytest
from django.conf import settings
from django.urls import reverse

from knowledge import services
from knowledge.models import Article

from ..tickets.factories import ServiceFactory, TicketFactory
from .conftest import fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def vpn_ticket(agent):
    """A VPN ticket with a public and a staff-only article for its service, one matching its title
    elsewhere, a draft and an unrelated article (neither offered)."""
    vpn, printers = ServiceFactory(name="VPN"), ServiceFactory(name="Printers")
    ticket = TicketFactory(service=vpn, title="GlobalProtect keeps dropping at home")
    articles = {
        "public": fields(title="Connect to the VPN from home", summary="Sign in once", services=[vpn]),
        "staff": fields(title="VPN gateway restart runbook", audience="staff", services=[vpn]),
        "matched": fields(title="GlobalProtect error codes", services=[printers]),
        "draft": fields(title="VPN draft notes", status="draft", services=[vpn]),
        "other": fields(title="Order toner", services=[printers]),
    }
    saved = {
        key: services.article_save(article=None, by=agent, fields=value) for key, value in articles.items()
    }
    return ticket, saved


def test_the_panel_suggests_the_services_articles_then_title_matches_never_a_draft(agent_client, vpn_ticket):
    ticket, articles = vpn_ticket

    response = agent_client.get(reverse("knowledge:ticket_articles", args=[ticket.pk]))

    offered = [row["article"].pk for row in response.context["articles"]]
    assert set(offered[:2]) == {articles["public"].pk, articles["staff"].pk}
    assert offered[2:] == [articles["matched"].pk]
    assert "Staff only" in response.content.decode()


def test_a_public_article_inserts_its_help_link_and_a_staff_only_one_is_for_notes_only(
    agent_client, vpn_ticket
):
    ticket, articles = vpn_ticket

    response = agent_client.get(reverse("knowledge:ticket_articles", args=[ticket.pk]))

    rows = {row["article"].pk: row for row in response.context["articles"]}
    public, staff = rows[articles["public"].pk], rows[articles["staff"].pk]
    help_url = f"{settings.SITE_URL}/help/{articles['public'].pk}/"
    assert public["link"] == f"[Connect to the VPN from home]({help_url})"
    assert public["summary"] == f"Sign in once ([Connect to the VPN from home]({help_url}))"
    assert staff["url"] == f"{settings.SITE_URL}/desk/knowledge/{articles['staff'].pk}/"
    content = response.content.decode()
    assert f'data-kb-staff-url="{staff["url"]}"' in content
    assert f'data-kb-staff-url="{help_url}"' not in content
    assert "Internal note only: customers cannot open a staff-only article." in content


@pytest.mark.usefixtures("vpn_ticket")
def test_the_search_finds_another_published_article(agent_client):
    found = agent_client.get(reverse("knowledge:pick"), {"q": "toner"}, headers={"HX-Request": "true"})
    nothing = agent_client.get(reverse("knowledge:pick"), {"q": "draft notes"})

    content = found.content.decode()
    assert content.count("Insert link") == 1 and "Order toner" in content
    assert "<html" not in content and "kb-flag-form" not in content  # the results alone
    assert "No published article matches." in nothing.content.decode()


def test_the_ticket_page_loads_the_panel_after_itself(agent_client, vpn_ticket):
    ticket, _articles = vpn_ticket

    page = agent_client.get(reverse("tickets:agent_detail", args=[ticket.pk])).content.decode()

    assert f'hx-get="{reverse("knowledge:ticket_articles", args=[ticket.pk])}"' in page
    assert "Connect to the VPN from home" not in page  # fetched by the panel, not the page


def test_the_panel_runs_a_constant_number_of_queries(agent_client, agent, django_assert_max_num_queries):
    service = ServiceFactory()
    ticket = TicketFactory(service=service, title="Outlook crashes")
    for n in range(12):
        services.article_save(
            article=None,
            by=agent,
            fields=fields(
                title=f"Outlook fix {n}", audience="staff" if n % 2 else "everyone", services=[service]
            ),
        )

    # session, user, permissions (2), the ticket, the suggestions
    with django_assert_max_num_queries(6):
        response = agent_client.get(reverse("knowledge:ticket_articles", args=[ticket.pk]))

    assert len(response.context["articles"]) == 5
    assert response.content.decode().count("Insert link") == 5
    assert Article.objects.count() == 12
