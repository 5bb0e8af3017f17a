from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def _dev_mailbox_only(view):
    """The developer mailbox exists only in local mode: everywhere else it is a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.DEV_MAILBOX_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@_dev_mailbox_only
def dev_mail_list(request: HttpRequest) -> HttpResponse:
    outbound_emails = selectors.outbound_email_list_recent()
    return render(request, "notifications/dev_mail_list.html", {"outbound_emails": outbound_emails})


@_dev_mailbox_only
def dev_mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outbound_email = selectors.outbound_email_get(pk=pk)
    return render(request, "notifications/dev_mail_detail.html", {"outbound_email": outbound_email})
