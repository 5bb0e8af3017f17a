"""Knowledge articles: as customers read them in Help, and as staff see them in the desk (with
audience, status and review date). The body is the Markdown as written."""

from django.urls import reverse
from rest_framework import serializers

from knowledge.models import Article

from .catalog import ServiceRef
from .common import Person


class _ArticleRow(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    summary = serializers.CharField()
    tags = serializers.StringRelatedField(many=True, help_text="Tag names.")
    updated_at = serializers.DateTimeField()

    def _page(self, name: str, article: Article) -> str:
        return self.context["request"].build_absolute_uri(reverse(name, args=[article.pk]))


class ArticleRowForCustomer(_ArticleRow):
    help_url = serializers.SerializerMethodField(help_text="The article's page in Help.")

    def get_help_url(self, article: Article) -> str:
        return self._page("knowledge:help_detail", article)


class ArticleRowForStaff(_ArticleRow):
    desk_url = serializers.SerializerMethodField(help_text="The article's page in the desk.")
    kind = serializers.ChoiceField(choices=Article.Kind.choices)
    audience = serializers.ChoiceField(choices=Article.Audience.choices)
    status = serializers.ChoiceField(choices=Article.Status.choices)
    owner = Person(allow_null=True)
    review_by = serializers.DateField(allow_null=True)

    def get_desk_url(self, article: Article) -> str:
        return self._page("knowledge:detail", article)


class ArticleForCustomer(ArticleRowForCustomer):
    body = serializers.CharField(help_text="Markdown, as written.")
    services = ServiceRef(many=True)


class ArticleForStaff(ArticleRowForStaff):
    body = serializers.CharField(help_text="Markdown, as written.")
    services = ServiceRef(many=True)
