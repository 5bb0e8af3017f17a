"""The customer 360 page and the changes staff make there."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import agent_required

from . import selectors, services
from .exceptions import CustomerError
from .forms import ArrangementForm, CategoryForm, CustomerProfileForm, SuggestionDecisionForm
from .models import RepeatOffenderSuggestion
from .overview import customer_360


@agent_required
@require_GET
def customer_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _render(request, selectors.customer_get_for_staff(user_id=user_id))


@agent_required
@require_POST
def customer_profile_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    customer = selectors.customer_get_for_staff(user_id=user_id)
    form = _profile_form(request, customer, data=request.POST)
    if form.is_valid():
        try:
            services.customer_profile_update(user=customer, by=request.user, **form.cleaned_data)
        except CustomerError as exc:  # the form checked first; this is the service's own guard
            form.add_error(None, str(exc))
    if form.errors:
        return _render(request, customer, profile_form=form, status=400)
    messages.success(request, _("Profile saved."))
    return redirect("customers:detail", user_id=customer.pk)


@agent_required
@require_POST
def customer_category_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    customer = selectors.customer_get_for_staff(user_id=user_id)
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.customer_category_set(user=customer, by=request.user, **form.cleaned_data)
        except CustomerError as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return _render(
            request,
            customer,
            category_form=form,
            status=400 if request.user.has_perm("customers.set_customer_category") else 403,
        )
    messages.success(request, _("Category changed."))
    return redirect("customers:detail", user_id=customer.pk)


@agent_required
@require_POST
def suggestion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(RepeatOffenderSuggestion.objects.select_related("profile__user"), pk=pk)
    customer = suggestion.profile.user
    form = SuggestionDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.repeat_offender_suggestion_decide(
                suggestion=suggestion,
                by=request.user,
                confirm=form.cleaned_data["decision"] == "confirm",
                reason=form.cleaned_data["reason"],
            )
        except CustomerError as exc:
            form.add_error(None, str(exc))
    if form.errors:
        status = 400 if request.user.has_perm("customers.set_customer_category") else 403
        return _render(request, customer, decision_form=form, status=status)
    messages.success(request, _("Decision recorded."))
    return redirect("customers:detail", user_id=customer.pk)


@agent_required
@require_POST
def arrangement_add(request: HttpRequest, user_id: int) -> HttpResponse:
    customer = selectors.customer_get_for_staff(user_id=user_id)
    form = ArrangementForm(request.POST)
    if not form.is_valid():
        return _render(request, customer, arrangement_form=form, status=400)
    services.arrangement_create(customer=customer, by=request.user, **form.cleaned_data)
    messages.success(request, _("Arrangement set up: its owner is reminded each time it is due."))
    return redirect("customers:detail", user_id=customer.pk)


def _render(request: HttpRequest, customer, *, status: int = 200, **forms) -> HttpResponse:
    overview = customer_360(customer=customer, now=timezone.now())
    profile = overview.profile
    context = {
        "overview": overview,
        "profile_form": _profile_form(request, customer, profile=profile),
        "category_form": CategoryForm(initial={"category": profile.category}),
        "decision_form": SuggestionDecisionForm(),
        "arrangement_form": ArrangementForm(),
        "bypass_window_days": settings.REPEAT_OFFENDER_WINDOW_DAYS,
        **forms,
    }
    return render(request, "customers/customer_detail.html", context, status=status)


def _profile_form(request: HttpRequest, customer, *, profile=None, data=None) -> CustomerProfileForm:
    return CustomerProfileForm(
        data,
        profile=profile or services.customer_profile_ensure(user=customer),
        can_set_category=request.user.has_perm("customers.set_customer_category"),
    )
