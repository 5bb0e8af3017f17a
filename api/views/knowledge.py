"""Knowledge articles: a customer reads the published articles for everyone (as in Help), staff
read every article (as in the desk). The same selectors as the pages decide who sees what."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from knowledge import selectors as knowledge_selectors
from knowledge.forms import ArticleSearchForm

from ..errors import form_invalid
from ..serializers.common import either_side
from ..serializers.knowledge import (
    ArticleForCustomer,
    ArticleForStaff,
    ArticleRowForCustomer,
    ArticleRowForStaff,
)
from .base import ApiView, error_responses, paginated_schema

ARTICLE = either_side("Article", ArticleForCustomer, ArticleForStaff)
ARTICLE_ROWS = either_side("ArticleRow", ArticleRowForCustomer, ArticleRowForStaff, many=True)


class ArticleList(ApiView):
    @extend_schema(
        operation_id="articles_list",
        summary="List or search articles",
        description="A customer gets the published articles for everyone, as Help lists them; staff "
        "get every article, drafts and staff-only ones included. Newest change first; `q` keeps "
        "those matching its words (full-text, as the pages search), `service` those about the "
        "catalog service with that slug.",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="At most 200 characters.",
            ),
            OpenApiParameter(
                "service",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="A service's slug.",
            ),
        ],
        responses={
            200: paginated_schema(ARTICLE_ROWS, "PaginatedArticleList"),
            **error_responses(400, 401, 403, 429),
        },
    )
    def get(self, request):
        customer_side = self.customer_side()
        search = ArticleSearchForm(request.query_params)
        if not search.is_valid():
            raise form_invalid(search)
        text, slug = search.cleaned_data["q"], search.cleaned_data["service"]
        service = knowledge_selectors.service_for_browse(slug=slug)
        if customer_side:
            articles = knowledge_selectors.article_list_for_customer(text=text, service=service)
        else:
            articles = knowledge_selectors.article_list_for_staff(
                text=text, service=service, today=timezone.localdate()
            )
        if slug and service is None:
            articles = articles.none()  # no such service in the catalog: nothing is about it
        row = ArticleRowForCustomer if customer_side else ArticleRowForStaff
        return self.paginate(articles, row, ("-updated_at", "-pk"))


class ArticleDetail(ApiView):
    @extend_schema(
        operation_id="articles_retrieve",
        summary="Read an article",
        description="A customer may read a published article for everyone (any other is a 404); staff any.",
        responses={200: ARTICLE, **error_responses(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        if self.customer_side():
            article = knowledge_selectors.article_get_for_customer(pk=pk)
            return self.object_response(ArticleForCustomer(article, context={"request": request}).data)
        article = knowledge_selectors.article_get_for_staff(pk=pk)
        return self.object_response(ArticleForStaff(article, context={"request": request}).data)
