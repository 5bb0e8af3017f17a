"""Helpful / not helpful votes (one per reader and article, changeable, audited) on Help and the
desk's article page, and the article's figures for staff: use in replies, votes, deflections and
open documentation flags, computed from the rows and shown on the page."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from knowledge import selectors, services
from knowledge.models import Article, ArticleUse, ArticleVote, Deflection, DocumentationFlag

from ..accounts.factories import AgentFactory, CustomerFactory
from ..tickets.factories import TicketMessageFactory
from .conftest import fields
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_customer_votes_and_changes_their_mind_keeping_one_vote(customer_client, customer):
    article = ArticleFactory()
    url = reverse("knowledge:help_vote", args=[article.pk])

    first = customer_client.post(url, {"helpful": "yes"})
    second = customer_client.post(url, {"helpful": "no"}, follow=True)

    assert first.status_code == 302 and first["Location"] == reverse(
        "knowledge:help_detail", args=[article.pk]
    )
    vote = ArticleVote.objects.get()
    assert (vote.article, vote.voter, vote.helpful) == (article, customer, False)
    assert second.context["vote"] is False and 'aria-pressed="true">No' in second.content.decode()
    assert LogEntry.objects.filter(object_id=str(article.pk), user=customer).count() == 2


def test_an_agent_votes_on_the_desk_article_page(agent_client, agent):
    article = services.article_save(article=None, by=agent, fields=fields(audience=Article.Audience.STAFF))

    answer = agent_client.post(reverse("knowledge:vote", args=[article.pk]), {"helpful": "yes"})

    assert answer["Location"] == reverse("knowledge:detail", args=[article.pk])
    assert ArticleVote.objects.get(voter=agent).helpful is True


def test_a_customer_cannot_vote_on_an_article_they_cannot_see(customer_client, agent):
    for changes in ({"audience": Article.Audience.STAFF}, {"status": Article.Status.DRAFT}):
        hidden = services.article_save(article=None, by=agent, fields=fields(**changes))

        answer = customer_client.post(reverse("knowledge:help_vote", args=[hidden.pk]), {"helpful": "yes"})

        assert answer.status_code == 404
    assert not ArticleVote.objects.exists()


def test_a_vote_that_is_neither_yes_nor_no_is_refused_with_a_message(customer_client):
    article = ArticleFactory()

    answer = customer_client.post(
        reverse("knowledge:help_vote", args=[article.pk]), {"helpful": "maybe"}, follow=True
    )

    assert "Choose Yes or No." in answer.content.decode() and not ArticleVote.objects.exists()


@pytest.mark.parametrize(
    ("client_name", "help_status", "desk_status"),
    [
        ("client", 302, 302),
        ("customer_client", 302, 403),
        ("agent_client", 403, 302),
        ("manager_client", 403, 302),
    ],
)
def test_who_may_vote_where(request, client_name, help_status, desk_status):
    article = ArticleFactory()
    client = request.getfixturevalue(client_name)

    help_answer = client.post(reverse("knowledge:help_vote", args=[article.pk]), {"helpful": "yes"})
    desk_answer = client.post(reverse("knowledge:vote", args=[article.pk]), {"helpful": "yes"})

    assert (help_answer.status_code, desk_answer.status_code) == (help_status, desk_status)
    assert client.get(reverse("knowledge:help_vote", args=[article.pk])).status_code in (302, 403, 405)


def test_the_article_figures_count_their_rows(agent_client, agent):
    article, other = ArticleFactory(), ArticleFactory()
    now = timezone.now()
    for message in TicketMessageFactory.create_batch(3):
        ArticleUse.objects.create(article=article, message=message, used_by=agent, created_at=now)
    ArticleUse.objects.create(article=other, message=TicketMessageFactory(), used_by=agent, created_at=now)
    for helpful in (True, True, False):
        services.article_vote(article=article, voter=CustomerFactory(), helpful=helpful)
    services.article_vote(article=other, voter=agent, helpful=False)
    for _ in range(4):
        services.deflection_record(article=article, customer=CustomerFactory(), service=None, typed_title="x")
    for resolved_at in (None, None, now - timedelta(days=1)):
        DocumentationFlag.objects.create(
            kind="wrong",
            article=article,
            reason="Step 3 is gone",
            raised_by=agent,
            created_at=now,
            resolved_at=resolved_at,
        )

    stats = selectors.article_stats(article=article)
    page = agent_client.get(reverse("knowledge:detail", args=[article.pk]))
    listed = agent_client.get(reverse("knowledge:list")).content.decode()

    assert (stats.uses, stats.helpful, stats.not_helpful, stats.deflections, stats.open_flags) == (
        3,
        2,
        1,
        4,
        2,
    )
    assert stats.deflections == Deflection.objects.filter(article=article).count()
    assert page.context["stats"] == stats
    assert "Solved it for customers" in page.content.decode()
    assert "Solved it for 4 customers" in listed


def test_the_desk_article_page_runs_a_fixed_number_of_queries(agent_client, django_assert_num_queries):
    article = ArticleFactory()
    for _ in range(3):
        services.article_vote(article=article, voter=AgentFactory(), helpful=True)

    # user, its own and its groups' permissions, article + owner, tags, services, figures, the vote,
    # the session's messages, the desk banner's standards still to read, and the open flags
    with django_assert_num_queries(10):
        answer = agent_client.get(reverse("knowledge:detail", args=[article.pk]))

    assert answer.context["stats"].helpful == 3
