import pytest

from knowledge.models import Article
from knowledge.services import ArticleFields, article_save

from ..tickets.factories import ServiceFactory


def publish(*, by, kind=Article.Kind.ARTICLE, title="Reset MFA", services=(), review_by=None) -> Article:
    """An article published through the knowledge base's own save (version 1)."""
    return article_save(
        article=None,
        by=by,
        fields=ArticleFields(
            title=title,
            summary="",
            body="Steps.",
            kind=kind,
            audience=Article.Audience.STAFF,
            status=Article.Status.PUBLISHED,
            services=list(services),
            tags=[],
            owner=None,
            review_by=review_by,
        ),
    )


def revise(article: Article, *, by, is_major: bool) -> Article:
    """A new version of the article with a changed body: major or minor."""
    return article_save(
        article=article,
        by=by,
        fields=ArticleFields(
            title=article.title,
            summary=article.summary,
            body=article.body + "\n\nOne more step.",
            kind=article.kind,
            audience=article.audience,
            status=article.status,
            services=list(article.services.all()),
            tags=[],
            owner=article.owner,
            review_by=article.review_by,
        ),
        is_major=is_major,
    )


@pytest.fixture
def service(db):
    return ServiceFactory(name="VPN and remote access")


@pytest.fixture
def standard(manager):
    return publish(by=manager, kind=Article.Kind.STANDARD, title="How we greet")
