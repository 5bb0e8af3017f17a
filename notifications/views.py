from functools import wraps

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
    """Everyone's own notices; showing them marks them read."""
    notices = selectors.notifications_for(recipient=request.user)
    response = render(request, "notifications/notification_list.html", {"notices": notices})
    services.notifications_mark_read(
        recipient=request.user, notification_ids=[n.pk for n in notices if n.read_at is None]
    )
    return response


@signed_in_required
@require_GET
@never_cache
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The bell's unread count, loaded by htmx so pages do not pay for it."""
    count = selectors.notifications_unread_count(recipient=request.user)
    return render(request, "notifications/_badge.html", {"unread": count})
