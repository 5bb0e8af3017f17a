"""The customer portal: the catalog, submitting a request, "My requests", one request."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import customer_page, customer_required, signed_in_required
from core.pagination import query_without
from core.params import slug_param
from customers import selectors as customer_selectors

from . import selectors, services
from .attachments import attachment_response
from .exceptions import TicketError
from .forms import CcAddForm, ReopenForm, ReplyForm, TicketSubmitForm
from .models import PRIORITY_MATRIX, Impact, Urgency


@signed_in_required
@require_GET
def catalog_list(request: HttpRequest) -> HttpResponse:
    services_ = selectors.service_list_for_catalog()
    return render(request, "tickets/catalog_list.html", {"services": services_})


@signed_in_required
@require_GET
def catalog_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.service_get_for_catalog(slug=slug)
    return render(request, "tickets/catalog_detail.html", {"service": service})


@customer_required
@require_http_methods(["GET", "POST"])
def ticket_submit(request: HttpRequest) -> HttpResponse:
    catalog = selectors.service_list_for_catalog()
    slug = slug_param(request.GET.get("service"))  # the catalog's "Ask for this" link names one
    initial = {"service": catalog.filter(slug=slug).first()} if slug else {}
    form = TicketSubmitForm(request.POST or None, request.FILES or None, services=catalog, initial=initial)
    if request.method == "POST" and form.is_valid():
        ticket = services.ticket_create(customer=request.user, **form.cleaned_data)
        messages.success(
            request, _("Thank you. Your request %(reference)s is with IT.") % {"reference": ticket.reference}
        )
        return redirect(ticket)
    context = {
        "form": form,
        "expectation": _expectation(request, form),
        "service": selectors.service_chosen(value=form["service"].value()),
    }
    return render(request, "tickets/ticket_submit.html", context)


@customer_required
@require_GET
def ticket_submit_expectation(request: HttpRequest) -> HttpResponse:
    """The SLA promise for the urgency and impact chosen so far or, when the chosen service is
    another team's, who does it and how, before the customer sends it (htmx swaps it into the form)."""
    form = TicketSubmitForm(request.GET, services=selectors.service_list_for_catalog())
    context = {
        "expectation": _expectation(request, form),
        "service": selectors.service_chosen(value=request.GET.get("service")),
    }
    return render(request, "tickets/partials/_sla_expectation.html", context)


def _expectation(request: HttpRequest, form: TicketSubmitForm) -> selectors.SlaExpectation:
    urgency = form.data.get("urgency") or form["urgency"].initial
    impact = form.data.get("impact") or form["impact"].initial
    if urgency not in Urgency.values or impact not in Impact.values:
        urgency, impact = Urgency.MEDIUM, Impact.LOW
    return selectors.sla_expectation_get(
        priority=PRIORITY_MATRIX[(urgency, impact)],
        category=customer_selectors.customer_category_get(user=request.user),
        start=timezone.now(),
    )


@customer_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.ticket_list_for_customer(customer=request.user), 25).get_page(
        request.GET.get("page")
    )
    copied = Paginator(selectors.ticket_list_copied_to(user=request.user), 25).get_page(
        request.GET.get("copied_page")
    )
    context = {
        "page": page,
        "tickets": page.object_list,
        "query": query_without(request, "page"),
        "copied": copied,
        "copied_query": query_without(request, "copied_page"),
    }
    return render(request, "tickets/ticket_list_customer.html", context)


@customer_page(agents_go_to=lambda pk: reverse("tickets:agent_detail", kwargs={"pk": pk}))
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_customer(customer=request.user, pk=pk)
    return _render_detail(request, ticket)


@customer_required
@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_customer(customer=request.user, pk=pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_reply(ticket=ticket, author=request.user, **form.cleaned_data)
        except TicketError as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return _render_detail(request, ticket, reply_form=form, status=400)
    messages.success(request, _("Your reply has been sent."))
    return redirect(ticket)


@customer_required
@require_POST
def ticket_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_customer(customer=request.user, pk=pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_reopen(ticket=ticket, by=request.user, reason=form.cleaned_data["reason"])
        except TicketError as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return _render_detail(request, ticket, reopen_form=form, status=400)
    messages.success(request, _("Your request is open again."))
    return redirect(ticket)


@customer_required
@require_POST
def ticket_cc_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer copies a colleague on their request."""
    ticket = selectors.ticket_get_for_customer(customer=request.user, pk=pk)
    form = CcAddForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_cc_add(ticket=ticket, user=form.cleaned_data["user"], by=request.user)
        except TicketError as exc:
            form.add_error("email", str(exc))
    if form.errors:
        return _render_detail(request, ticket, cc_form=form, status=400)
    messages.success(
        request, _("%(name)s is copied on this request.") % {"name": form.cleaned_data["user"].display_name}
    )
    return redirect(ticket)


@customer_required
@require_POST
def ticket_cc_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    """The customer stops copying someone, or a copied person stops being copied."""
    ticket = selectors.ticket_get_for_customer(customer=request.user, pk=pk)
    cc = selectors.ticket_cc_get(ticket=ticket, user_id=user_id)
    try:
        services.ticket_cc_remove(ticket=ticket, user=cc.user, by=request.user)
    except TicketError as exc:
        messages.error(request, str(exc))
        return _render_detail(request, ticket, status=400)
    if cc.user_id == request.user.pk:
        messages.success(
            request, _("You are no longer copied on %(reference)s.") % {"reference": ticket.reference}
        )
        return redirect("tickets:my_requests")
    messages.success(request, _("%(name)s is no longer copied.") % {"name": cc.user.display_name})
    return redirect(ticket)


@signed_in_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A ticket's file, for those who may see the ticket (404 for anyone else); always a download."""
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    return attachment_response(request, attachment)


def _render_detail(
    request: HttpRequest,
    ticket,
    *,
    reply_form: ReplyForm | None = None,
    reopen_form: ReopenForm | None = None,
    cc_form: CcAddForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The request as the customer's side sees it: the customer, or a colleague copied on it,
    who sees the conversation and who else is copied, but not the promise made to the customer
    (it follows their category), their survey, or a way to reopen it."""
    context = {
        "ticket": ticket,
        "conversation": selectors.ticket_conversation_for_customer(ticket=ticket),
        "request_attachments": selectors.ticket_request_attachments(ticket=ticket),
        "ccs": selectors.ticket_cc_list(ticket=ticket),
        "reply_form": reply_form or ReplyForm(),
        "reopen_form": reopen_form or ReopenForm(),
        "cc_form": cc_form or CcAddForm(),
        "can_reopen": ticket.viewer_is_customer
        and ticket.reopen_until is not None
        and timezone.now() <= ticket.reopen_until,
    }
    return render(request, "tickets/ticket_detail_customer.html", context, status=status)
