"""Help, the customers' side of the knowledge base: only published articles for everyone, found by
search or service; nothing staff-only anywhere a customer can reach, whatever they ask."""

import re

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Article

from ..api.conftest import ApiClient
from ..tickets.factories import ServiceFactory
from .conftest import fields
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

SECRET = "zanzibarquokka"  # a word that appears only in staff-side articles


@pytest.fixture
def knowledge(agent):
    """One public article and every kind a customer must never see, all tied to the same service."""
    service = ServiceFactory(name="VPN", slug="vpn")
    public = services.article_save(
        article=None, by=agent, fields=fields(title="Connect to the VPN", services=[service], tags=["vpn"])
    )
    hidden = [
        services.article_save(
            article=None,
            by=agent,
            fields=fields(
                title=f"{SECRET} staff trick",
                summary=f"{SECRET} summary",
                body=f"{SECRET} body",
                services=[service],
                tags=[f"{SECRET}-tag"],
                **changes,
            ),
            note=f"{SECRET} note",
        )
        for changes in (
            {"audience": Article.Audience.STAFF},
            {"status": Article.Status.DRAFT},
            {"kind": Article.Kind.STANDARD, "audience": Article.Audience.STAFF},
        )
    ]
    return public, hidden


def test_a_customer_finds_a_public_article_by_search_and_by_service(customer_client, knowledge):
    public, _hidden = knowledge

    by_search = customer_client.get(reverse("knowledge:help"), {"q": "vpn"}).context["page"].object_list
    by_service = (
        customer_client.get(reverse("knowledge:help"), {"service": "vpn"}).context["page"].object_list
    )

    assert by_search == [public] and by_service == [public]
    assert customer_client.get(reverse("knowledge:help_detail", args=[public.pk])).status_code == 200


def test_a_customer_gets_404_for_every_article_not_for_them(customer_client, knowledge):
    _public, hidden = knowledge

    for article in hidden:
        assert customer_client.get(reverse("knowledge:help_detail", args=[article.pk])).status_code == 404


def test_nothing_staff_only_appears_anywhere_a_customer_can_reach(customer_client, customer, knowledge):
    public, hidden = knowledge
    top = max(article.pk for article in [public, *hidden])
    ids = [article.pk for article in [public, *hidden]] + [top + 1]
    service = public.services.get()
    suggestions = reverse("knowledge:help_suggestions")
    pages = [
        reverse("knowledge:help"),
        f"{suggestions}?title={SECRET}",
        f"{suggestions}?title=vpn+{SECRET[:4]}&service={service.pk}",
        f"{suggestions}?title=&service={service.pk}",
        *(reverse("knowledge:help_solved", args=[pk]) for pk in ids),
        f"{reverse('knowledge:help')}?q={SECRET}",
        f"{reverse('knowledge:help')}?q={SECRET}+body",
        f"{reverse('knowledge:help')}?service=vpn",
        f"{reverse('knowledge:help')}?service=vpn&q={SECRET}",
        *(reverse("knowledge:help_detail", args=[pk]) for pk in range(1, top + 2)),
    ]
    seen = set(pages)
    while pages:  # follow every link on the Help pages too
        page = customer_client.get(pages.pop())
        text = page.content.decode()

        # The search box shows back what was searched for; everything else must be free of it.
        assert SECRET not in re.sub(r'value="[^"]*"', "", text).lower()
        for link in re.findall(r'href="(/help/[^"]*)"', text):
            link = link.replace("&amp;", "&")
            if link not in seen:
                seen.add(link)
                pages.append(link)
    # The API, with the customer's token: the list, searched and by service, and every id.
    api = ApiClient(customer)
    answers = [
        api.get(reverse("api:articles"), query)
        for query in ({}, {"q": SECRET}, {"q": f"vpn {SECRET}"}, {"service": "vpn"})
    ]
    answers += [api.get(reverse("api:article", args=[pk])) for pk in ids]
    assert {answer.status_code for answer in answers} <= {200, 404}
    assert not any(SECRET in answer.content.decode().lower() for answer in answers)


def test_the_service_browse_counts_only_what_a_customer_may_read(customer_client, knowledge):
    (vpn,) = customer_client.get(reverse("knowledge:help")).context["services"]

    assert vpn.article_count == 1


@pytest.mark.parametrize("client_name", ["agent_client", "manager_client"])
def test_staff_are_refused_help_pages_as_they_are_the_portal(request, client_name, knowledge):
    public, _hidden = knowledge
    client = request.getfixturevalue(client_name)

    assert client.get(reverse("knowledge:help")).status_code == 403
    assert client.get(reverse("knowledge:help_detail", args=[public.pk])).status_code == 403


def test_the_portal_nav_links_help(customer_client):
    assert f'href="{reverse("knowledge:help")}"' in customer_client.get(reverse("core:home")).content.decode()


@pytest.mark.parametrize("rows", [2, 10])
def test_the_help_list_runs_constant_queries(customer_client, django_assert_num_queries, rows):
    for article in ArticleFactory.create_batch(rows):
        article.tags.create(name=f"tag {article.pk}")
        article.services.add(ServiceFactory())

    # user, its own and its groups' permissions, articles, their tags, services to browse
    with django_assert_num_queries(6):
        response = customer_client.get(reverse("knowledge:help"))

    assert len(response.context["page"].object_list) == rows
    assert response.status_code == 200
