"""Incoming e-mail for staff: every message that came in and what became of it, one message in
full with its raw bytes, and reading a failed one again."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import agent_required
from core.pagination import query_with, query_without, uncounted_page

from . import selectors, services
from .forms import InboundFilterForm
from .models import InboundEmail

MAIL_PAGE_SIZE = 25
# The status tabs, failed first after "All": the ones someone has to look at.
TAB_ORDER = [InboundEmail.Status.FAILED, *(s for s in InboundEmail.Status if s != InboundEmail.Status.FAILED)]


@agent_required
@require_GET
def mail_list(request: HttpRequest) -> HttpResponse:
    form = InboundFilterForm(request.GET)
    filters = form.filters()
    page = uncounted_page(
        selectors.inbound_email_list(filters=filters), request.GET.get("page"), MAIL_PAGE_SIZE
    )
    counts = selectors.inbound_email_status_counts(filters=filters)
    tabs = [
        {
            "status": "",
            "label": _("All"),
            "count": sum(counts.values()),
            "query": query_with(request, status=None, page=None),
        },
        *(
            {
                "status": status.value,
                "label": status.label,
                "count": counts[status.value],
                "query": query_with(request, status=status.value, page=None),
            }
            for status in TAB_ORDER
        ),
    ]
    context = {
        "form": form,
        "filters": filters,
        "tabs": tabs,
        "page": page,
        "emails": page.object_list,
        "query": query_without(request, "page"),
    }
    return render(request, "inbound/mail_list.html", context)


@agent_required
@require_GET
def mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = selectors.inbound_email_get(pk=pk)
    reading = selectors.inbound_email_reading(inbound=inbound)
    return render(request, "inbound/mail_detail.html", {"inbound": inbound, "reading": reading})


@agent_required
@require_GET
def mail_raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The message exactly as received, as a file to open in a mail client; never shown inline."""
    inbound = selectors.inbound_email_get(pk=pk)
    response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="incoming-{inbound.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were talked into rendering it, it could run nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@agent_required
@require_POST
def mail_retry(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = selectors.inbound_email_get(pk=pk)
    if services.inbound_retry(inbound=inbound, by=request.user):
        messages.success(
            request, _("The e-mail will be read again in a moment; this page shows what became of it.")
        )
    else:
        inbound.refresh_from_db(fields=["status"])
        messages.warning(
            request,
            _("Only an e-mail that failed is read again. This one is “%(status)s”, so it was left as it is.")
            % {"status": inbound.get_status_display()},
        )
    return redirect("inbound:mail_detail", pk=inbound.pk)
