from functools import wraps

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import manager_required, signed_in_required

from . import selectors, services


def _dev_mailbox_only(view):
    """The developer mailbox exists only in local mode: everywhere else it is a 404.

    Even there only a manager may read it: it holds everyone's reset links and case e-mails.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.DEV_MAILBOX_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@manager_required
@_dev_mailbox_only
def dev_mail_list(request: HttpRequest) -> HttpResponse:
    outbound_emails = selectors.outbound_email_list_recent()
    return render(request, "notifications/dev_mail_list.html", {"outbound_emails": outbound_emails})


@manager_required
@_dev_mailbox_only
# The e-mail is shown in a sandboxed iframe (no scripts), which inherits this page's policy: its
# inline styles are what e-mail clients need, so this page alone allows inline styles.
@csp_update({"style-src": [UNSAFE_INLINE]})
def dev_mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outbound_email = selectors.outbound_email_get(pk=pk)
    return render(request, "notifications/dev_mail_detail.html", {"outbound_email": outbound_email})


@signed_in_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Everyone's own notices, the unread ones marked new until opened or marked read."""
    notices = selectors.notifications_for(recipient=request.user)
    return render(
        request,
        "notifications/notification_list.html",
        {"notices": notices, "any_unread": any(n.read_at is None for n in notices)},
    )


@signed_in_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow one's own notice: it is read now, and leads where it says."""
    notice = selectors.notification_get_for(recipient=request.user, pk=pk)
    services.notifications_mark_read(recipient=request.user, notification_ids=[notice.pk])
    if not url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
        return redirect("notifications:list")
    return redirect(notice.url)


@signed_in_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(recipient=request.user)
    if count:
        text = ngettext("Marked %(count)s notice read.", "Marked %(count)s notices read.", count)
        messages.success(request, text % {"count": count})
    return redirect("notifications:list")


@signed_in_required
@require_GET
@never_cache
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The bell's unread count, loaded by htmx so pages do not pay for it."""
    count = selectors.notifications_unread_count(recipient=request.user)
    return render(request, "notifications/_badge.html", {"unread": count})
