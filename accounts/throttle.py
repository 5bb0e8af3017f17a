"""Throttling sign-ins (django-axes) and password-reset e-mails.

Failed sign-ins count per account at an address (the username, an e-mail resolved to it, and the
address) and per address. LOGIN_FAILURE_LIMIT failures for one account from one address, or
LOGIN_ADDRESS_FAILURE_LIMIT from one address whatever the account, lock that pair or that address
out for LOGIN_LOCKOUT_MINUTES. The bare username is never locked: someone guessing from
elsewhere cannot keep a manager out of their own account.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .backends import login_username
from .forms import LoginForm


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler, with a larger limit for an address than for one account there.

    Axes compares one count with one limit; the address's count is scaled so that
    LOGIN_ADDRESS_FAILURE_LIMIT failures from an address weigh as much as LOGIN_FAILURE_LIMIT
    failures for one account.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        account, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return max(account, address * settings.LOGIN_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT)


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """What axes counts failures against: "alice" and her e-mail address are one account."""
    typed = (credentials or {}).get("username") or request.POST.get("username") or ""
    return login_username(typed.strip())


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The login page again, saying why and for how long, with the username kept (429)."""
    message = _(
        "Too many failed sign-ins. Try again in %(minutes)d minutes, "
        "or use “Forgotten your password?” to set a new one."
    ) % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}
    context = {
        "form": LoginForm(request, initial={"username": request.POST.get("username", "")}),
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "locked_out": message,
    }
    return render(request, "registration/login.html", context, status=429)
