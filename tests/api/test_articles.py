"""Articles in the API: a customer's token reads only published articles for everyone (any other
is a 404, and never listed), staff's read every one; search and the service filter as in Help."""

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Article

from ..knowledge.conftest import fields
from ..tickets.factories import ServiceFactory
from .conftest import ApiClient

pytestmark = pytest.mark.django_db

ARTICLES = reverse("api:articles")
SECRET = "zanzibarquokka"  # only in articles a customer must never read


@pytest.fixture
def knowledge(agent):
    """A public VPN article, a public printing one, and three a customer must never see."""
    vpn = ServiceFactory(name="VPN", slug="vpn")
    public = services.article_save(
        article=None, by=agent, fields=fields(title="Connect to the VPN", services=[vpn], tags=["vpn"])
    )
    other = services.article_save(article=None, by=agent, fields=fields(title="Clear a printer jam"))
    hidden = [
        services.article_save(
            article=None,
            by=agent,
            fields=fields(title=f"{SECRET} VPN trick", body=f"{SECRET} body", services=[vpn], **changes),
        )
        for changes in (
            {"audience": Article.Audience.STAFF},
            {"status": Article.Status.DRAFT},
            {"kind": Article.Kind.STANDARD, "audience": Article.Audience.STAFF},
        )
    ]
    return public, other, hidden


def _ids(answer) -> set[int]:
    assert answer.status_code == 200, answer.content[:300]
    return {row["id"] for row in answer.json()["results"]}


def test_a_customer_lists_and_reads_only_published_articles_for_everyone(api_customer, knowledge):
    public, other, hidden = knowledge

    listed = _ids(api_customer.get(ARTICLES))
    searched = _ids(api_customer.get(ARTICLES, {"q": "vpn"}))
    searched_secret = _ids(api_customer.get(ARTICLES, {"q": SECRET}))
    by_service = _ids(api_customer.get(ARTICLES, {"service": "vpn"}))
    detail = api_customer.get(reverse("api:article", args=[public.pk]))

    assert listed == {public.pk, other.pk}
    assert searched == {public.pk} and by_service == {public.pk} and searched_secret == set()
    assert detail.json()["body"] == public.body and "audience" not in detail.json()
    for article in hidden:
        assert api_customer.get(reverse("api:article", args=[article.pk])).status_code == 404


def test_staff_list_and_read_every_article(api_agent, knowledge):
    public, other, hidden = knowledge

    listed = _ids(api_agent.get(ARTICLES))
    by_service = _ids(api_agent.get(ARTICLES, {"service": "vpn"}))
    detail = api_agent.get(reverse("api:article", args=[hidden[0].pk])).json()

    assert listed == {public.pk, other.pk, *(article.pk for article in hidden)}
    assert by_service == {public.pk, *(article.pk for article in hidden)}
    assert (detail["audience"], detail["services"][0]["slug"]) == ("staff", "vpn")


def test_an_unknown_service_lists_nothing_and_a_bad_search_is_a_400(api_customer, knowledge):
    assert _ids(api_customer.get(ARTICLES, {"service": "no-such-service"})) == set()
    answer = api_customer.get(ARTICLES, {"q": "x" * 201})
    assert answer.status_code == 400 and "q" in answer.json()["error"]["fields"]


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_runs_the_same_queries_however_many_rows(customer, agent, count, django_assert_num_queries):
    for number in range(count):
        services.article_save(article=None, by=agent, fields=fields(title=f"Article {number}", tags=["tag"]))
    client = ApiClient(customer)
    client.get(ARTICLES)  # the token's first use and permissions, now cached

    # The token, the articles (with their owners), their tags.
    with django_assert_num_queries(3):
        answer = client.get(ARTICLES)
    assert len(answer.json()["results"]) == count
