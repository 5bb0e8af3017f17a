"""Who may open a view: the only access decorators, each meaning one thing.

Every view carries exactly one of them, outermost, so the check answers before anything else (a
wrong method, a missing row). The role decorators mean the permission that defines the role in
roles.py. Anonymous visitors are sent to log in (an htmx request by `HX-Redirect`, so the login
page opens as a page rather than inside a fragment); a signed-in user without the role gets a
403. Each decorator records what it requires as `view.access`, which
tests/accounts/test_view_access.py reads for every URL.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect

from .roles import ROLE_DEFINING_PERMISSION, Role

View = Callable[..., HttpResponse]


class Access(enum.Enum):
    """What a view requires of whoever opens it."""

    PUBLIC = "public"
    SIGNED_IN = "signed in"
    CUSTOMER = Role.CUSTOMER
    AGENT = Role.AGENT
    MANAGER = Role.MANAGER

    @property
    def permission(self) -> str | None:
        """The permission a signed-in user needs; None when signing in is enough, or not needed."""
        return ROLE_DEFINING_PERMISSION.get(self.value)


def customer_required(view: View) -> View:
    """The portal: the customer's own requests and surveys."""
    return _guarded(view, Access.CUSTOMER)


def customer_page(*, agents_go_to: Callable[..., str]) -> Callable[[View], View]:
    """A portal page with a desk counterpart: as customer_required, except that an agent (or
    manager) who opens the customer's link, e.g. from an e-mail, is sent to `agents_go_to(**kwargs)`
    (the same ticket in the desk) rather than refused."""

    def decorator(view: View) -> View:
        return _guarded(view, Access.CUSTOMER, agents_go_to=agents_go_to)

    return decorator


def agent_required(view: View) -> View:
    """The desk: agents and managers (a manager is also an agent)."""
    return _guarded(view, Access.AGENT)


def manager_required(view: View) -> View:
    """Running the desk: the report card, processes, service recovery."""
    return _guarded(view, Access.MANAGER)


def signed_in_required(view: View) -> View:
    """Pages for anyone signed in, whatever their role; the view or its selector decides the rest."""
    return _guarded(view, Access.SIGNED_IN)


def public(reason: str) -> Callable[[View], View]:
    """No sign-in, by design: `@public("why")`, the reason saying what protects the page instead."""
    if not reason.strip():
        raise ValueError("Say why the view needs no sign-in.")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return view(request, *args, **kwargs)

        wrapper.access = Access.PUBLIC
        wrapper.public_reason = reason
        return wrapper

    return decorator


def _guarded(view: View, access: Access, *, agents_go_to: Callable[..., str] | None = None) -> View:
    permission = access.permission

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login_redirect(request)
        if permission is not None and not request.user.has_perm(permission):
            if agents_go_to is not None and request.user.has_perm(Access.AGENT.permission):
                return redirect(agents_go_to(**kwargs))
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.access = access
    return wrapper


def _login_redirect(request: HttpRequest) -> HttpResponse:
    if not request.htmx:
        return redirect_to_login(request.get_full_path())
    # A fragment's own address is no page to come back to: return to the page that asked for it
    # (unless that page is on another site, which htmx reports as None).
    page = request.htmx.current_url_abs_path
    login_url = redirect_to_login(page)["Location"] if page else resolve_url(settings.LOGIN_URL)
    return HttpResponseClientRedirect(login_url)
