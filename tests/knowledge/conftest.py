import pytest

from knowledge.models import Article
from knowledge.services import ArticleFields


def fields(**changes) -> ArticleFields:
    """What an editor types for a plain published public article, with `changes`."""
    values = {
        "title": "Reset your password",
        "summary": "When you are locked out",
        "body": "Go to **the portal** and choose *Forgot password*.",
        "kind": Article.Kind.ARTICLE,
        "audience": Article.Audience.EVERYONE,
        "status": Article.Status.PUBLISHED,
        "services": [],
        "tags": [],
        "owner": None,
        "review_by": None,
    }
    return ArticleFields(**{**values, **changes})


@pytest.fixture
def article_fields():
    return fields
