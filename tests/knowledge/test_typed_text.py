"""What an editor types (title, summary, body, tags, the note) is stored as typed and shown escaped:
on the article, the list, the history, the diff and Help."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from knowledge.models import Article

from ..hostile import HOSTILE_INPUTS

pytestmark = pytest.mark.django_db

# Postgres cannot store NUL, and a comma separates tags: the form refuses the one and splits on the other.
TYPABLE = [text for text in HOSTILE_INPUTS if "\0" not in text]


@pytest.mark.parametrize("hostile", TYPABLE)
def test_hostile_text_is_stored_as_typed_and_shown_inert(agent_client, customer_client, hostile):
    tag = hostile.replace(",", " ")[:60].strip() or "tag"

    response = agent_client.post(
        reverse("knowledge:create"),
        {
            "title": hostile[:200],
            "summary": hostile[:300],
            "body": hostile,
            "kind": "article",
            "audience": "everyone",
            "status": "published",
            "tags": tag,
            "note": hostile[:255],
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    article = Article.objects.get()
    version = article.versions.get()
    assert (article.title, article.summary, article.body) == (hostile[:200], hostile[:300], hostile)
    assert list(article.tags.values_list("name", flat=True)) == [tag]
    assert version.note == hostile[:255]
    for page in (
        agent_client.get(article.get_absolute_url()),
        agent_client.get(reverse("knowledge:list")),
        agent_client.get(reverse("knowledge:history", args=[article.pk])),
        agent_client.get(reverse("knowledge:diff", args=[article.pk, 1])),
        customer_client.get(reverse("knowledge:help")),
        customer_client.get(reverse("knowledge:help_detail", args=[article.pk])),
    ):
        assert page.status_code == 200
        text = page.content.decode()
        if "<" in hostile:  # markup shows as text: never the raw tag, in any field or the diff
            assert hostile.strip() not in text
        if "\n" not in hostile:
            assert escape(hostile[:200]) in text  # the title, escaped once, on every page


def test_a_title_with_markup_shows_it_as_text_in_the_diff(agent_client):
    agent_client.post(
        reverse("knowledge:create"),
        {
            "title": "<script>alert(1)</script>",
            "body": "<b>x</b>",
            "kind": "article",
            "audience": "staff",
            "status": "draft",
        },
    )
    article = Article.objects.get()

    diff = agent_client.get(reverse("knowledge:diff", args=[article.pk, 1])).content.decode()

    assert "+&lt;script&gt;alert(1)&lt;/script&gt;" in diff and "+&lt;b&gt;x&lt;/b&gt;" in diff
    assert "<script>alert(1)" not in diff


def test_a_nul_character_is_refused_with_a_reason_not_a_500(agent_client):
    response = agent_client.post(
        reverse("knowledge:create"),
        {
            "title": "a\0b",
            "body": "c\0d",
            "kind": "article",
            "audience": "staff",
            "status": "draft",
            "note": "e\0f",
        },
    )

    assert response.status_code == 200
    assert {"title", "body", "note"} <= set(response.context["form"].errors)
