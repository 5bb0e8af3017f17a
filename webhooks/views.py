"""The managers' webhook pages: the endpoints, one endpoint with its secret and delivery log,
adding and changing one, rotating its secret and sending it a test event."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import manager_required
from core.pagination import query_without, uncounted_page
from core.params import id_param

from . import selectors, services
from .events import EVENT_LABELS
from .forms import EndpointForm

DELIVERY_PAGE_SIZE = 25


@manager_required
@require_GET
def endpoint_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "webhooks/endpoint_list.html",
        {"endpoints": selectors.endpoint_list()},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def endpoint_create(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = services.endpoint_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Endpoint added. Give its secret to the receiver to check signatures."))
        return redirect(endpoint)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@manager_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(pk=pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.endpoint_update(endpoint=endpoint, by=request.user, **form.cleaned_data)
        messages.success(request, _("Endpoint saved."))
        return redirect(endpoint)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@manager_required
@require_GET
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(pk=pk)
    page = uncounted_page(
        selectors.delivery_log(endpoint=endpoint), request.GET.get("page"), DELIVERY_PAGE_SIZE
    )
    context = {
        "endpoint": endpoint,
        "endpoint_events": [
            (event_type, EVENT_LABELS.get(event_type, event_type)) for event_type in endpoint.events
        ],
        "page": page,
        "deliveries": page.object_list,
        "dead_count": selectors.dead_letter_count(endpoint=endpoint),
        "pause_after_hours": f"{settings.WEBHOOK_PAUSE_AFTER_HOURS:g}",
        "query": query_without(request, "page"),
    }
    return render(request, "webhooks/endpoint_detail.html", context)


@manager_required
@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.endpoint_secret_rotate(endpoint=selectors.endpoint_get(pk=pk), by=request.user)
    messages.success(
        request, _("New secret made. Deliveries from now on are signed with it: give it to the receiver.")
    )
    return redirect(endpoint)


@manager_required
@require_POST
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(pk=pk)
    services.endpoint_test_send(endpoint=endpoint, by=request.user)
    messages.success(request, _("Test event queued: it shows in the delivery log below within seconds."))
    return redirect(endpoint)


@manager_required
@require_POST
def dead_letters_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    """Every dead letter of the endpoint again, or the one named by `delivery`."""
    endpoint = selectors.endpoint_get(pk=pk)
    delivery_id = id_param(request.POST.get("delivery")) if "delivery" in request.POST else None
    if "delivery" in request.POST and delivery_id is None:
        raise Http404
    count = services.dead_letters_redeliver(endpoint=endpoint, by=request.user, delivery_id=delivery_id)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s dead letter is being delivered again: see the log below.",
                "%(count)s dead letters are being delivered again: see the log below.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("There was no dead letter to deliver again."))
    return redirect(endpoint)
