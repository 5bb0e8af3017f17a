"""The staff meetings: the list, a meeting's page and PDF, its actions, the quarter's nominees."""

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import agent_required, manager_required
from core.pagination import uncounted_page
from core.params import id_param
from reports.periods import Period, quarter_start
from reports.selectors import surveys_behind
from reports.totals import Scope
from surveys.figures import GRADE_COST_MEANING
from surveys.models import Grade, Survey

from . import selectors, services
from .exceptions import MeetingError
from .forms import ActionCloseForm, ActionForm, MeetingForm, NotesForm
from .models import Nomination
from .pdf import meeting_pdf

KUDOS_PAGE_SIZE = 25


@agent_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    page = uncounted_page(selectors.meeting_list(), request.GET.get("page"), 25)
    return render(request, "meetings/meeting_list.html", {"page": page, "meetings": page.object_list})


@manager_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    period = Period.ending_today(30, today=today)
    form = MeetingForm(
        request.POST or None,
        initial={"period_first": period.first, "period_last": period.last, "held_on": today},
    )
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(by=request.user, **form.cleaned_data)
        messages.success(request, "Meeting recorded.")
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form})


def _detail(
    request: HttpRequest, meeting, *, action_form=None, notes_form=None, status: int = 200
) -> HttpResponse:
    page = selectors.meeting_page(meeting=meeting, user=request.user, now=timezone.now())
    managing = request.user.has_perm("surveys.view_survey")
    context = {
        "page": page,
        "meeting": meeting,
        "card": page.board.figures.card,
        "before": page.board.previous.card,
        "grade_cost_meaning": GRADE_COST_MEANING,
        "managing": managing,
        "action_form": action_form or (ActionForm() if managing else None),
        "notes_form": notes_form or (NotesForm(initial={"notes": meeting.notes}) if managing else None),
        "close_form": ActionCloseForm() if managing else None,
        "history": selectors.action_history(meeting=meeting) if managing else [],
    }
    return render(request, "meetings/meeting_detail.html", context, status=status)


@agent_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.meeting_get(pk=pk))


@manager_required
@require_GET
def meeting_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as a PDF (the same figures, comments and actions as its page)."""
    meeting = selectors.meeting_get(pk=pk)
    page = selectors.meeting_page(meeting=meeting, user=request.user, now=timezone.now())
    response = HttpResponse(meeting_pdf(page), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="staff-meeting-{meeting.held_on}.pdf"'
    return response


@manager_required
@require_POST
def meeting_notes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(pk=pk)
    form = NotesForm(request.POST)
    if not form.is_valid():
        return _detail(request, meeting, notes_form=form, status=400)
    services.meeting_notes_set(meeting=meeting, by=request.user, notes=form.cleaned_data["notes"])
    messages.success(request, "Notes saved.")
    return redirect(meeting)


@manager_required
@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(pk=pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _detail(request, meeting, action_form=form, status=400)
    services.action_add(meeting=meeting, by=request.user, **form.cleaned_data)
    messages.success(request, "Action added; its owner has been told.")
    return redirect(f"{meeting.get_absolute_url()}#actions")


@manager_required
@require_POST
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_get(pk=pk)
    form = ActionCloseForm(request.POST)
    if form.is_valid():
        try:
            services.action_close(
                action=action, by=request.user, what_was_done=form.cleaned_data["what_was_done"]
            )
        except MeetingError as exc:
            form.add_error(None, str(exc))
    if form.errors:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect(f"{action.meeting.get_absolute_url()}#action-{action.pk}")
    messages.success(request, "Action closed.")
    return redirect(f"{action.meeting.get_absolute_url()}#action-{action.pk}")


def _next_quarter(quarter: date) -> date:
    return quarter_start(quarter + timedelta(days=95))  # a quarter is 90 to 92 days


def _quarter_period(quarter: date) -> Period:
    return Period(quarter, _next_quarter(quarter) - timedelta(days=1))


def _nominations_url() -> str:
    return reverse("meetings:nominations")


def _quarter(request: HttpRequest) -> date:
    try:
        return quarter_start(date.fromisoformat(request.GET.get("quarter", "")))
    except ValueError:
        return quarter_start(timezone.localdate())


@manager_required
@require_GET
def nominations(request: HttpRequest) -> HttpResponse:
    """The quarter's nominees for the awards, by agent, and the quarter's kudos to nominate from."""
    quarter = _quarter(request)
    kudos = surveys_behind(period=_quarter_period(quarter), scope=Scope(), grade=Grade.A).exclude(comment="")
    page = uncounted_page(kudos, request.GET.get("page"), KUDOS_PAGE_SIZE)
    nominated = set(Nomination.objects.filter(quarter=quarter).values_list("survey_id", flat=True))
    context = {
        "quarter": quarter,
        "quarter_param": quarter.isoformat(),
        "period": _quarter_period(quarter),
        "previous_quarter": quarter_start(quarter - timedelta(days=1)),
        "next_quarter": _next_quarter(quarter),
        "nominees": selectors.nominations_for_quarter(quarter=quarter),
        "page": page,
        "kudos": page.object_list,
        "nominated": nominated,
    }
    return render(request, "meetings/nominations.html", context)


@manager_required
@require_POST
def nomination_add(request: HttpRequest) -> HttpResponse:
    survey_id = id_param(request.POST.get("survey"))
    if survey_id is None:
        raise Http404
    survey = get_object_or_404(Survey.objects.filter(answered_at__isnull=False), pk=survey_id)
    try:
        nomination = services.nomination_add(survey=survey, by=request.user)
    except MeetingError as exc:
        messages.error(request, str(exc))
        return redirect("meetings:nominations")
    messages.success(request, f"{nomination.agent.display_name} nominated.")
    return redirect(f"{_nominations_url()}?quarter={nomination.quarter.isoformat()}")


@manager_required
@require_POST
def nomination_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_object_or_404(Nomination.objects.select_related("agent"), pk=pk)
    quarter = nomination.quarter
    services.nomination_withdraw(nomination=nomination, by=request.user)
    messages.success(request, "Nomination withdrawn.")
    return redirect(f"{_nominations_url()}?quarter={quarter.isoformat()}")
