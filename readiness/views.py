"""Readiness pages: service standards to read, training records, and the managers' readiness."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import agent_required, manager_required
from core.pagination import query_without, uncounted_page
from knowledge.models import Article
from reports.forms import dashboard_filter_form
from tickets.models import Service

from . import selectors, services
from .exceptions import NotReadyError, ReadinessStateError
from .forms import TrainingFilterForm, TrainingRecordForm

PER_PAGE = 50
MANAGE = "accounts.manage_service_desk"


@agent_required
@require_GET
def standards(request: HttpRequest) -> HttpResponse:
    """The service standards every agent reads and acknowledges; managers also see who has."""
    context = {"rows": selectors.standards_for_agent(agent=request.user)}
    if request.user.has_perm(MANAGE):
        context["matrix_standards"], context["matrix_rows"] = selectors.acknowledgement_matrix()
    return render(request, "readiness/standards.html", context)


@agent_required
@require_POST
def standard_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.defer("search_document"),
        pk=pk,
        kind=Article.Kind.STANDARD,
        status=Article.Status.PUBLISHED,
    )
    services.article_acknowledge(agent=request.user, article=article)
    messages.success(
        request, _("Thank you: “%(title)s” is marked as read and understood.") % {"title": article.title}
    )
    return redirect("readiness:standards")


@agent_required
@require_GET
def training(request: HttpRequest) -> HttpResponse:
    """Training records, everyone's or one agent's or service's, with re-reads due."""
    form = TrainingFilterForm(request.GET or None)
    filters = form.filters()
    agent = request.user if filters.get("mine") else filters.get("agent")
    records = selectors.training_records(agent=agent, service=filters.get("service"))
    context = {
        "form": form,
        "page": uncounted_page(records, request.GET.get("page"), PER_PAGE),
        "query": query_without(request, "page"),
    }
    return render(request, "readiness/training.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def training_add(request: HttpRequest) -> HttpResponse:
    form = TrainingRecordForm(
        request.POST or None, user=request.user, may_record_for_others=request.user.has_perm(MANAGE)
    )
    if request.method == "POST" and form.is_valid():
        record = services.training_record_create(fields=form.training_fields(), by=request.user)
        messages.success(
            request,
            _("Training of %(agent)s on %(service)s recorded.")
            % {"agent": record.agent.display_name, "service": record.service.name},
        )
        return redirect("readiness:training")
    return render(request, "readiness/training_form.html", {"form": form})


@agent_required
@require_POST
def training_reread(request: HttpRequest, pk: int) -> HttpResponse:
    """ "I have re-read it": the agent acknowledges the current version of the article a record of
    theirs was trained from."""
    record = selectors.training_record_get_for_agent(agent=request.user, pk=pk)
    if record is None or record.article is None:
        raise Http404
    try:
        services.article_acknowledge(agent=request.user, article=record.article)
    except ReadinessStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Marked as re-read: “%(title)s”.") % {"title": record.article.title})
    return redirect(reverse("readiness:training") + "?mine=1")


@manager_required
@require_GET
def readiness(request: HttpRequest) -> HttpResponse:
    """Per active IT service: articles, training, process health, grades and documentation flags
    over the period, the services where the team is set up to fail first."""
    form, _teams, _services = dashboard_filter_form(request.GET)
    period = form.chosen_period()
    context = {
        "form": form,
        "period": period,
        "rows": selectors.service_readiness(period=period, today=timezone.localdate()),
        "order_rule": selectors.ORDER_RULE,
        "min_trained": settings.READINESS_MIN_TRAINED_AGENTS,
    }
    return render(request, "readiness/readiness.html", context)


@manager_required
@require_POST
def service_go_live(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(Service, pk=pk, is_active=True)
    try:
        services.service_go_live(service=service, by=request.user)
    except NotReadyError as exc:
        messages.error(
            request,
            _("%(service)s cannot go live yet. Missing: %(missing)s")
            % {"service": service.name, "missing": " ".join(exc.missing)},
        )
    except ReadinessStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(service)s is live: customers can choose it.") % {"service": service.name}
        )
    return redirect("readiness:readiness")
