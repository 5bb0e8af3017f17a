"""The survey, answered as its page answers it (by the e-mailed link's token, or by a signed-in
customer), and the answers managers read."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts.permissions import Access
from reports import selectors as report_selectors
from reports.forms import dashboard_filter_form
from reports.totals import Scope
from surveys import selectors as survey_selectors
from surveys import services as survey_services
from surveys.exceptions import SurveyAlreadyAnswered, SurveyClosed
from surveys.forms import SurveyAnswerForm
from surveys.models import Grade, Survey
from surveys.tokens import TokenExpired, TokenForged, survey_from_token
from surveys.views import LINK_PROBLEMS

from ..errors import Conflict, Gone, LinkNotFound, fields_invalid, form_invalid
from ..serializers.common import Error
from ..serializers.surveys import SurveyAnswerInput, SurveyForCustomer, SurveyResponse
from .base import ApiView, error_responses, paginated_schema

GONE = {
    410: OpenApiResponse(Error, description="The survey closed, or was replaced by a newer one (`reason`).")
}
ANSWERED = {409: OpenApiResponse(Error, description="Already answered: each survey counts once.")}
# The dashboard's filter (reports.forms.DashboardFilterForm), as query parameters.
DASHBOARD_FILTER = [
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description="Days ending today (90, 30, 7, 180, 365 or 730; 90 if not given), or `custom` "
        "with `first` and `last`. Requests resolved in it count.",
    ),
    OpenApiParameter("first", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="With period=custom."),
    OpenApiParameter("last", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="With period=custom."),
    OpenApiParameter(
        "scope",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description="One filter, as the dashboard's “Show”: `team:<id>`, `service:<id>`, "
        "`category:<category>` or `channel:<channel>`; empty for the whole desk.",
    ),
]


def dashboard_filter_read(query) -> tuple:
    """The dashboard's filter form from the query (as reports.forms.dashboard_filter_form), valid
    or a 400: unlike the page, which shows its default, and stricter about a date given empty."""
    form, teams, services = dashboard_filter_form(query)
    if not form.is_valid():
        raise form_invalid(form)
    blank = {
        name: [_("Give a date (YYYY-MM-DD), or leave it out.")]
        for name in ("first", "last")
        if name in query and not query[name].strip()
    }
    if blank:
        raise fields_invalid(blank)
    return form, teams, services


def _link_problem(problem: str) -> str:
    heading, explanation, _status = LINK_PROBLEMS[problem]
    return f"{heading}. {explanation}"


class SurveyView(ApiView):
    """A survey, read and answered as the survey page does (surveys.views._survey_page)."""

    def open_survey(self, survey: Survey) -> Survey:
        """The survey, if it still stands: replaced or closed ones are a 410, as on the page
        (an answered one is shown, with its grade)."""
        if survey.answered_at is None:
            if survey.cancelled_at is not None:
                raise Gone(_link_problem("withdrawn"))
            if not survey.is_open_for_answers(timezone.now()):
                raise Gone(_link_problem("expired"))
        return survey

    def survey_response(self, survey: Survey, code: int = status.HTTP_200_OK) -> Response:
        return self.object_response(SurveyForCustomer(survey).data, code=code)

    def answer(self, survey: Survey) -> Response:
        """Validated by the page's form, saved by its service (which makes it single use and tells
        the webhooks), then the survey as answered: 201."""
        data = self.body()
        if survey.answered_at is not None:
            raise Conflict(_("This request has already been graded. Thank you."))
        form = SurveyAnswerForm(data)
        if not form.is_valid():
            raise form_invalid(form)
        try:
            survey = survey_services.survey_answer(survey=survey, answers=form.answers())
        except SurveyAlreadyAnswered as exc:
            raise Conflict(str(exc)) from None
        except SurveyClosed:
            raise Gone(_link_problem("expired")) from None
        return self.survey_response(survey, status.HTTP_201_CREATED)


# The link's signed token (django.core.signing: URL-safe base64 and colons); anything else is no
# token of ours.
SURVEY_TOKEN = OpenApiParameter(
    "token",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    required=True,
    pattern=r"^[A-Za-z0-9_\-:]+$",
    description="The token of the survey link e-mailed to the customer (the part after /answer/).",
)


class SurveyByToken(SurveyView):
    """The e-mailed link's survey: the token is the credential, as on the page."""

    access = Access.PUBLIC
    public_reason = "the e-mailed link's signed token names the survey, and answering needs nothing else"

    def get_survey(self, token: str) -> Survey:
        try:
            survey = survey_from_token(token)
        except TokenForged:
            raise LinkNotFound(_link_problem("forged")) from None
        except TokenExpired:
            raise Gone(_link_problem("expired")) from None
        user = self.request.user
        if user.is_authenticated and user.pk != survey.customer_id:
            raise exceptions.PermissionDenied(_link_problem("someone_else"))
        return self.open_survey(survey)

    @extend_schema(
        operation_id="survey_by_token_get",
        summary="A survey, by its link's token",
        description="What the e-mailed survey link's page shows: the request it grades (reference "
        "and title), when it was resolved, until when it can be answered, and its questions; once "
        "answered, the grade given. No credentials needed: the token is one. A signed-in caller "
        "who is not the request's customer is refused (403), as on the page.",
        parameters=[SURVEY_TOKEN],
        responses={
            200: SurveyForCustomer,
            404: OpenApiResponse(Error, description="The token is not one of ours (made up, or cut short)."),
            **GONE,
            **error_responses(403, 429),
        },
    )
    def get(self, request, token: str):
        return self.survey_response(self.get_survey(token))

    @extend_schema(
        operation_id="survey_by_token_answer",
        summary="Answer a survey, by its link's token",
        description="The grade (A to F) and, if the customer likes, the other questions and a "
        "comment, checked as the survey page checks them. Once only: answering again is a 409.",
        parameters=[SURVEY_TOKEN],
        request=SurveyAnswerInput,
        responses={
            201: SurveyForCustomer,
            404: OpenApiResponse(Error, description="The token is not one of ours (made up, or cut short)."),
            **ANSWERED,
            **GONE,
            **error_responses(400, 403, 429),
        },
    )
    def post(self, request, token: str):
        return self.answer(self.get_survey(token))


class SurveyById(SurveyView):
    """The same survey from the portal, for the customer whose request it was (404 for others)."""

    access = Access.CUSTOMER

    def get_survey(self, pk: int) -> Survey:
        return self.open_survey(survey_selectors.survey_get_for_customer(customer=self.request.user, pk=pk))

    @extend_schema(
        operation_id="survey_get",
        summary="One of your surveys (customers)",
        description="As by its link's token, for the signed-in customer whose request it grades "
        "(the id is the one in a survey notification's `url`).",
        responses={200: SurveyForCustomer, **GONE, **error_responses(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        return self.survey_response(self.get_survey(pk))

    @extend_schema(
        operation_id="survey_answer",
        summary="Answer one of your surveys (customers)",
        description="As by its link's token: once only (409 after).",
        request=SurveyAnswerInput,
        responses={201: SurveyForCustomer, **ANSWERED, **GONE, **error_responses(400, 401, 403, 404, 429)},
    )
    def post(self, request, pk: int):
        return self.answer(self.get_survey(pk))


class SurveyResponseList(ApiView):
    """The answered surveys, as the managers' responses page lists them."""

    access = Access.MANAGER

    @extend_schema(
        operation_id="survey_responses_list",
        summary="Survey responses (managers)",
        description="The answered surveys of the requests resolved in the period, with the "
        "dashboard's filter and optionally one grade, newest resolution first; each comment as the "
        "customer typed it. A filter that is not valid is a 400 naming it (the page would show its "
        "default instead: a script must not read another period's answers as the one it asked for).",
        parameters=[
            *DASHBOARD_FILTER,
            OpenApiParameter("grade", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=Grade.values),
        ],
        responses={
            200: paginated_schema(SurveyResponse(many=True), "PaginatedSurveyResponseList"),
            **error_responses(400, 401, 403, 429),
        },
    )
    def get(self, request):
        form, _teams, _services = dashboard_filter_read(request.query_params)
        grade = request.query_params.get("grade")
        if grade is not None and grade not in Grade.values:
            raise fields_invalid({"grade": [_("Choose a grade from A to F.")]})
        surveys = report_selectors.surveys_behind(
            period=form.chosen_period(), scope=Scope.parse(form.chosen_scope()), grade=grade or ""
        ).select_related("service")
        return self.paginate(surveys, SurveyResponse, ("-resolved_at", "-pk"))
