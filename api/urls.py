"""The REST API, under /api/v1/ (namespace `api`)."""

from django.urls import path, register_converter
from django.urls.converters import PathConverter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.permissions import public

from .views import attachments, catalog, customers, knowledge, notifications, reports, surveys, tickets
from .views.base import NotFound

app_name = "api"


class AnyPathConverter(PathConverter):
    """As <path:>, newlines included (its `.+` stops at one): every other address under /api/v1/
    answers the API's JSON 404, whatever a client sends."""

    regex = r"[\s\S]+"


register_converter(AnyPathConverter, "any_path")

urlpatterns = [
    path("tickets/", tickets.TicketList.as_view(), name="tickets"),
    path("tickets/<int:pk>/", tickets.TicketDetail.as_view(), name="ticket"),
    path("tickets/<int:pk>/claim/", tickets.TicketClaim.as_view(), name="ticket_claim"),
    path("tickets/<int:pk>/messages/", tickets.TicketMessages.as_view(), name="ticket_messages"),
    path("tickets/<int:pk>/attachments/", tickets.TicketAttachments.as_view(), name="ticket_attachments"),
    path("attachments/<int:pk>/", attachments.AttachmentDownload.as_view(), name="attachment"),
    path("customers/", customers.CustomerList.as_view(), name="customers"),
    path("customers/<int:pk>/", customers.CustomerDetail.as_view(), name="customer"),
    path("me/", customers.Me.as_view(), name="me"),
    path("services/", catalog.ServiceList.as_view(), name="services"),
    path("articles/", knowledge.ArticleList.as_view(), name="articles"),
    path("articles/<int:pk>/", knowledge.ArticleDetail.as_view(), name="article"),
    path("notifications/", notifications.NotificationList.as_view(), name="notifications"),
    path("surveys/by-id/<int:pk>/", surveys.SurveyById.as_view(), name="survey"),
    path("surveys/<str:token>/", surveys.SurveyByToken.as_view(), name="survey_by_token"),
    path("survey-responses/", surveys.SurveyResponseList.as_view(), name="survey_responses"),
    path("reports/report-card/", reports.ReportCardView.as_view(), name="report_card"),
    path(
        "schema/",
        public("the API's description: what it offers, no data")(
            SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[], throttle_classes=[])
        ),
        name="schema",
    ),
    path(
        "docs/",
        public("the API's documentation page, read from the schema")(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", authentication_classes=[], permission_classes=[], throttle_classes=[]
            )
        ),
        name="docs",
    ),
    # Last: any other address answers a 404 in the API's error shape.
    path("<any_path:rest>", NotFound.as_view(), name="not_found"),
]
