import factory
from django.utils import timezone

from knowledge.models import Article


class ArticleFactory(factory.django.DjangoModelFactory):
    """An article row as it stands; tests of saving go through services.article_save instead."""

    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    summary = "A short summary"
    body = "Some steps to follow."
    status = Article.Status.PUBLISHED
    audience = Article.Audience.EVERYONE
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
