"""The token pages: a user's own API tokens (make, see once, revoke), and every token for managers."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import manager_required, signed_in_required

from . import selectors, services
from .forms import ApiTokenCreateForm

TOKENS_PER_PAGE = 50
NEW_TOKEN_SESSION_KEY = "api_token_new"


@signed_in_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """Your API tokens. A new one is kept in the session just long enough to be shown once, on
    the page the creation redirects to: reloading that page neither makes another nor shows it
    again."""
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = services.api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_days=form.cleaned_data["expires_days"],
            by=request.user,
        )
        request.session[NEW_TOKEN_SESSION_KEY] = {"id": made.token.pk, "secret": made.secret}
        return redirect("api_tokens:list")
    new = request.session.pop(NEW_TOKEN_SESSION_KEY, None) if request.method == "GET" else None
    context = {
        "form": form,
        "new": {"token": selectors.api_token_get(pk=new["id"], user=request.user), "secret": new["secret"]}
        if new
        else None,
        "tokens": selectors.api_token_list_for_user(user=request.user),
        "docs_url": reverse("api:docs"),
    }
    response = render(request, "api/token_list.html", context, status=400 if form.errors else 200)
    if new:
        add_never_cache_headers(response)  # the secret is not kept by the browser's cache either
    return response


@signed_in_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get(pk=pk, user=request.user)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("api_tokens:list")


@manager_required
@require_POST
def token_revoke_any(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get(pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(
        request,
        _("%(owner)s's token “%(name)s” no longer works.")
        % {"owner": token.user.display_name, "name": token.name},
    )
    return redirect("api_tokens:all")


@manager_required
@require_http_methods(["GET"])
def token_list_all(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.api_token_list_all(), TOKENS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "api/token_list_all.html", {"page": page, "tokens": page.object_list})
