"""The desk's knowledge pages: who may open each, writing and editing through forms, history,
diff and restore, review state, and constant queries on the list."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from knowledge import services
from knowledge.models import Article

from ..accounts.factories import AgentFactory
from ..tickets.factories import ServiceFactory
from .conftest import fields
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "knowledge:list",
    "knowledge:create",
    "knowledge:detail",
    "knowledge:edit",
    "knowledge:history",
]


def _url(name: str, article: Article) -> str:
    return (
        reverse(name) if name in ("knowledge:list", "knowledge:create") else reverse(name, args=[article.pk])
    )


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_agents_and_managers_open_every_desk_page(agent_client, manager_client, agent, name):
    article = services.article_save(article=None, by=agent, fields=fields())

    for client in (agent_client, manager_client):
        assert client.get(_url(name, article)).status_code == 200
    assert agent_client.get(reverse("knowledge:diff", args=[article.pk, 1])).status_code == 200


@pytest.mark.parametrize("name", [*STAFF_PAGES, "knowledge:diff", "knowledge:restore"])
def test_a_customer_is_refused_every_desk_page(customer_client, agent, name):
    article = services.article_save(article=None, by=agent, fields=fields())
    args = [article.pk, 1] if name in ("knowledge:diff", "knowledge:restore") else [article.pk]
    url = reverse(name) if name in ("knowledge:list", "knowledge:create") else reverse(name, args=args)

    assert customer_client.get(url).status_code == 403
    assert customer_client.post(url).status_code == 403


def test_staff_get_404_for_a_missing_article_or_version(agent_client, agent):
    article = services.article_save(article=None, by=agent, fields=fields())

    assert agent_client.get(reverse("knowledge:detail", args=[article.pk + 1])).status_code == 404
    assert agent_client.get(reverse("knowledge:diff", args=[article.pk, 9])).status_code == 404
    assert agent_client.post(reverse("knowledge:restore", args=[article.pk, 9])).status_code == 404


def test_an_agent_writes_an_article_and_it_is_version_one(agent_client, agent):
    service = ServiceFactory()

    response = agent_client.post(
        reverse("knowledge:create"),
        {
            "title": "Connect to the VPN",
            "summary": "From home",
            "body": "1. Open **GlobalProtect**",
            "kind": "article",
            "audience": "everyone",
            "status": "published",
            "services": [service.pk],
            "owner": agent.pk,
            "review_by": "2027-01-31",
            "tags": "vpn, remote , vpn",
            "note": "First draft",
        },
    )

    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert (article.owner, str(article.review_by), article.status) == (agent, "2027-01-31", "published")
    assert sorted(article.tags.values_list("name", flat=True)) == ["remote", "vpn"]
    assert article.versions.get().note == "First draft"


def test_a_refused_form_keeps_what_was_typed_and_says_why_by_the_field(agent_client):
    response = agent_client.post(
        reverse("knowledge:create"),
        {
            "title": "",
            "body": "Kept **as typed**",
            "kind": "standard",
            "audience": "everyone",
            "status": "draft",
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"title", "audience"}
    assert "Kept **as typed**" in response.content.decode()
    assert not Article.objects.exists()


def test_editing_saves_a_new_version_and_history_and_diff_show_it(agent_client, agent):
    article = services.article_save(article=None, by=agent, fields=fields(body="Step one"))

    agent_client.post(
        reverse("knowledge:edit", args=[article.pk]),
        {**_form_data(article), "body": "Step one\nStep two", "note": "Added step two", "is_major": "on"},
    )

    version = article.versions.get(number=2)
    assert (version.note, version.is_major, version.body) == ("Added step two", True, "Step one\nStep two")
    history = agent_client.get(reverse("knowledge:history", args=[article.pk])).content.decode()
    assert "Added step two" in history
    diff = agent_client.get(reverse("knowledge:diff", args=[article.pk, 2])).content.decode()
    assert "+Step two" in diff


def test_restoring_from_the_history_page_adds_a_version_and_audits(manager_client, manager, agent):
    article = services.article_save(article=None, by=agent, fields=fields(title="First title"))
    services.article_save(article=article, by=agent, fields=fields(title="Second title"))

    response = manager_client.post(reverse("knowledge:restore", args=[article.pk, 1]))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "First title" and article.versions.count() == 3
    assert LogEntry.objects.filter(
        object_id=str(article.pk), user=manager, change_message__contains="Restored"
    ).exists()


def test_a_restore_must_be_a_post(agent_client, agent):
    article = services.article_save(article=None, by=agent, fields=fields())

    assert agent_client.get(reverse("knowledge:restore", args=[article.pk, 1])).status_code == 405


def test_an_article_past_its_review_date_says_it_may_be_out_of_date(agent_client, agent):
    owner = AgentFactory(first_name="Priya", last_name="Shah")
    overdue = timezone.localdate() - timedelta(days=1)
    article = services.article_save(article=None, by=agent, fields=fields(owner=owner, review_by=overdue))

    page = agent_client.get(article.get_absolute_url()).content.decode()

    assert "May be out of date" in page and "Priya Shah" in page


def test_needs_review_lists_only_overdue_and_managers_see_overdue_without_owner(
    agent_client, manager_client, agent
):
    today = timezone.localdate()
    owned = ArticleFactory(title="Owned overdue", owner=agent, review_by=today - timedelta(days=3))
    unowned = ArticleFactory(title="Unowned overdue", review_by=today - timedelta(days=1))
    ArticleFactory(title="Fresh", review_by=today + timedelta(days=30))

    review = agent_client.get(reverse("knowledge:list"), {"view": "review"}).context["page"].object_list
    manager_view = (
        manager_client.get(reverse("knowledge:list"), {"view": "unowned"}).context["page"].object_list
    )
    agent_view = agent_client.get(reverse("knowledge:list"), {"view": "unowned"})

    assert review == [owned, unowned]
    assert manager_view == [unowned]
    assert agent_view.context["view"] == "recent"  # managers only; an agent gets the default list
    assert "Overdue, no owner" not in agent_view.content.decode()


def test_browse_by_service_lists_its_articles(agent_client):
    vpn = ServiceFactory(name="VPN", slug="vpn")
    article = ArticleFactory(title="VPN from home")
    article.services.add(vpn)
    ArticleFactory(title="Printer")

    response = agent_client.get(reverse("knowledge:list"), {"service": "vpn"})

    assert response.context["page"].object_list == [article]


@pytest.mark.parametrize("rows", [2, 10])
def test_the_desk_list_runs_constant_queries(agent_client, agent, django_assert_num_queries, rows):
    for article in ArticleFactory.create_batch(rows, owner=agent):
        article.tags.create(name=f"tag {article.pk}")
        article.services.add(ServiceFactory())

    # user, its own and its groups' permissions, articles + owners, their tags, services to browse,
    # the service standards still to read (the desk's banner)
    with django_assert_num_queries(7):
        response = agent_client.get(reverse("knowledge:list"))

    assert len(response.context["page"].object_list) == rows
    assert response.status_code == 200


def test_desk_nav_links_the_knowledge_base(agent_client, customer_client):
    assert reverse("knowledge:list") in agent_client.get(reverse("core:home")).content.decode()
    assert reverse("knowledge:list") not in customer_client.get(reverse("core:home")).content.decode()


def _form_data(article: Article) -> dict:
    return {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "kind": article.kind,
        "audience": article.audience,
        "status": article.status,
        "tags": "",
    }
