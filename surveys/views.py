"""The survey (from an e-mailed link or the portal), agents' own grades, and service recovery."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import agent_required, customer_required, manager_required, public
from core.pagination import query_without, uncounted_page

from . import selectors, services
from .exceptions import SurveyAlreadyAnswered, SurveyClosed, SurveyError
from .forms import (
    RecoveryCloseForm,
    RecoveryContactForm,
    RecoveryFilterForm,
    RecoveryReopenForm,
    SurveyAnswerForm,
)
from .models import Grade, Survey
from .tokens import TokenExpired, TokenForged, survey_from_token

RECOVERY_PAGE_SIZE = 25
# Why a survey link did not open the survey: (page heading, explanation, HTTP status).
LINK_PROBLEMS = {
    "forged": (
        _("This link does not work"),
        _("It may have been cut short or changed. Open the request from My requests to grade it."),
        400,
    ),
    "expired": (
        _("This survey has closed"),
        _("Surveys can be answered for a while after a request is resolved, and this one's time is up."),
        410,
    ),
    "withdrawn": (
        _("This survey was replaced"),
        _("The request was reopened and resolved again; the newer survey is the one to answer."),
        410,
    ),
    "someone_else": (
        _("This survey was sent to someone else"),
        _("You are signed in as another person. Only the person who made the request can grade it."),
        403,
    ),
}


# --- The survey ------------------------------------------------------------------------------


@public("the e-mailed link: its signed token names the survey, and answering needs nothing else")
@never_cache
@require_http_methods(["GET", "POST"])
def answer_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: no login needed. Opening it (as mail scanners do) records nothing."""
    try:
        survey = survey_from_token(token)
    except TokenForged:
        return _link_problem(request, "forged")
    except TokenExpired:
        return _link_problem(request, "expired")
    if request.user.is_authenticated and request.user.pk != survey.customer_id:
        return _link_problem(request, "someone_else")
    thanks_url = reverse("surveys:thanks_by_token", kwargs={"token": token})
    return _survey_page(request, survey, on_success=lambda: redirect(thanks_url))


@public("the e-mailed link's thank-you page, opened by the same signed token")
@never_cache
@require_GET
def thanks_by_token(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = survey_from_token(token)
    except TokenForged:
        return _link_problem(request, "forged")
    except TokenExpired:
        return _link_problem(request, "expired")
    if request.user.is_authenticated and request.user.pk != survey.customer_id:
        return _link_problem(request, "someone_else")
    if survey.answered_at is None:
        return redirect("surveys:answer_by_token", token=token)
    return _private(render(request, "surveys/answered.html", {"survey": survey, "just_answered": True}))


@customer_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The same survey from the portal, for the customer whose request it was (404 for others)."""
    survey = selectors.survey_get_for_customer(customer=request.user, pk=pk)

    def back_to_request() -> HttpResponse:
        messages.success(request, _("Thank you for grading this request."))
        return redirect(survey.ticket)

    return _survey_page(request, survey, on_success=back_to_request, answered_status=200)


def _survey_page(
    request: HttpRequest,
    survey: Survey,
    *,
    on_success: Callable[[], HttpResponse],
    answered_status: int = 409,
) -> HttpResponse:
    if survey.answered_at is not None:
        status = 409 if request.method == "POST" else answered_status
        return _private(render(request, "surveys/answered.html", {"survey": survey}, status=status))
    if survey.cancelled_at is not None:
        return _link_problem(request, "withdrawn")
    if not survey.is_open_for_answers(timezone.now()):
        return _link_problem(request, "expired")
    if request.method == "POST":
        form = SurveyAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.survey_answer(survey=survey, answers=form.answers())
            except SurveyAlreadyAnswered:
                survey.refresh_from_db()
                return _private(render(request, "surveys/answered.html", {"survey": survey}, status=409))
            except SurveyClosed:
                return _link_problem(request, "expired")
            return on_success()
        status = 400
    else:
        # A grade picked in the e-mail is only pre-selected: the customer still sends the form.
        grade = request.GET.get("grade", "")
        form = SurveyAnswerForm(initial={"grade": grade} if grade in Grade.values else {})
        status = 200
    context = {"survey": survey, "ticket": survey.ticket, "form": form}
    return _private(render(request, "surveys/answer.html", context, status=status))


def _link_problem(request: HttpRequest, problem: str) -> HttpResponse:
    heading, explanation, status = LINK_PROBLEMS[problem]
    context = {"heading": heading, "explanation": explanation}
    return _private(render(request, "surveys/link_problem.html", context, status=status))


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the address: never send it to another site in a Referer header. (Not
    # "no-referrer": browsers then send "Origin: null" with the form, which CSRF rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Agents: their own grades ---------------------------------------------------------------


@agent_required
@require_GET
def grades_mine(request: HttpRequest) -> HttpResponse:
    """Folded into My report card, which lists every grade under the card they make up."""
    return redirect("reports:agent_card_mine", permanent=True)


# --- Service recovery (managers) ------------------------------------------------------------


@manager_required
@require_GET
def recovery_queue(request: HttpRequest) -> HttpResponse:
    form = RecoveryFilterForm(request.GET)
    form.is_valid()  # every field is optional; an unknown status simply shows what is not closed
    filters = selectors.RecoveryFilters(
        status=form.cleaned_data.get("status") or "unclosed", mine=bool(form.cleaned_data.get("mine"))
    )
    cases = selectors.recovery_case_queue(manager=request.user, filters=filters)
    page = uncounted_page(cases, request.GET.get("page"), RECOVERY_PAGE_SIZE)
    return render(
        request,
        "surveys/recovery_queue.html",
        {"form": form, "page": page, "cases": page.object_list, "query": query_without(request, "page")},
    )


@manager_required
@require_GET
def recovery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, selectors.recovery_case_get(pk=pk))


@manager_required
@require_POST
def recovery_take(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.recovery_case_get(pk=pk)
    try:
        services.recovery_case_take(case=case, by=request.user)
    except SurveyError as exc:
        messages.error(request, str(exc))
        return redirect(case)
    messages.success(request, _("The case is yours."))
    return redirect(case)


@manager_required
@require_POST
def recovery_contact(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.recovery_case_get(pk=pk)
    form = RecoveryContactForm(request.POST)
    return _case_action(
        request,
        case,
        form,
        "contact_form",
        lambda data: services.recovery_contact_record(case=case, by=request.user, **data),
        _("Contact recorded."),
    )


@manager_required
@require_POST
def recovery_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.recovery_case_get(pk=pk)
    form = RecoveryCloseForm(request.POST)
    return _case_action(
        request,
        case,
        form,
        "close_form",
        lambda data: services.recovery_case_close(case=case, by=request.user, **data),
        _("Case closed."),
    )


@manager_required
@require_POST
def recovery_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.recovery_case_get(pk=pk)
    form = RecoveryReopenForm(request.POST)
    return _case_action(
        request,
        case,
        form,
        "reopen_form",
        lambda data: services.recovery_case_reopen(case=case, by=request.user, **data),
        _("Case reopened."),
    )


@manager_required
@require_POST
def indifference_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager reads indifference in a comment: it counts as such, and opens a recovery case."""
    survey = get_object_or_404(Survey, pk=pk)
    try:
        case = services.indifference_flag(survey=survey, by=request.user)
    except SurveyError as exc:
        messages.error(request, str(exc))
        return redirect("tickets:agent_detail", pk=survey.ticket_id)
    messages.success(request, _("Flagged as indifference; a recovery case is open."))
    return redirect(case)


def _case_action(request, case, form, form_name: str, action: Callable, success: str) -> HttpResponse:
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except SurveyError as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return _render_case(request, case, status=400, **{form_name: form})
    messages.success(request, success)
    return redirect(case)


def _render_case(request: HttpRequest, case, *, status: int = 200, **forms) -> HttpResponse:
    context = {
        "case": case,
        "survey": case.survey,
        "ticket": case.survey.ticket,
        "history": selectors.recovery_case_history(case=case),
        "contact_form": RecoveryContactForm(),
        "close_form": RecoveryCloseForm(),
        "reopen_form": RecoveryReopenForm(),
        **forms,
    }
    return render(request, "surveys/recovery_detail.html", context, status=status)
