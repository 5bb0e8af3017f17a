"""The knowledge base's pages: the desk's (every article, writing, history) and Help (customers)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import agent_required, customer_required
from core.pagination import query_without, uncounted_page

from . import selectors, services
from .forms import ArticleForm, ArticleSearchForm
from .selectors import StaffView

PER_PAGE = 25


@agent_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    filters = ArticleSearchForm(request.GET).filters()
    view = filters.get("view") or StaffView.RECENT
    if view == StaffView.UNOWNED and not request.user.has_perm("accounts.manage_service_desk"):
        view = StaffView.RECENT
    text = filters.get("q", "")
    service = selectors.service_for_browse(slug=filters.get("service"))
    articles = selectors.article_list_for_staff(
        text=text, service=service, view=view, today=timezone.localdate()
    )
    context = {
        "page": uncounted_page(articles, request.GET.get("page"), PER_PAGE),
        "query": query_without(request, "page"),
        "text": text,
        "service": service,
        "view": view,
        "services": selectors.services_with_articles(public_only=False),
        "today": timezone.localdate(),
    }
    return render(request, "knowledge/article_list.html", context)


@agent_required
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get_for_staff(pk=pk)
    context = {"article": article, "today": timezone.localdate()}
    return render(request, "knowledge/article_detail.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest) -> HttpResponse:
    return _article_form(request, None)


@agent_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _article_form(request, selectors.article_get_for_staff(pk=pk))


def _article_form(request: HttpRequest, article) -> HttpResponse:
    """Write a new article (`article` None) or a new version of one."""
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        saved = services.article_save(
            article=article,
            by=request.user,
            fields=form.article_fields(),
            note=form.cleaned_data["note"],
            is_major=form.cleaned_data["is_major"],
        )
        messages.success(
            request,
            _("Article saved as version 1.") if article is None else _("Article saved as a new version."),
        )
        return redirect(saved)
    return render(request, "knowledge/article_form.html", {"form": form, "article": article})


@agent_required
@require_GET
def article_history(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get_for_staff(pk=pk)
    context = {"article": article, "versions": selectors.article_versions(article=article)}
    return render(request, "knowledge/article_history.html", context)


@agent_required
@require_GET
def article_diff(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = selectors.article_get_for_staff(pk=pk)
    version = selectors.article_version_get(article=article, number=number)
    context = {
        "article": article,
        "version": version,
        "diffs": selectors.article_version_diff(version=version),
    }
    return render(request, "knowledge/article_diff.html", context)


@agent_required
@require_POST
def article_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = selectors.article_get_for_staff(pk=pk)
    version = selectors.article_version_get(article=article, number=number)
    services.article_restore(article=article, version=version, by=request.user)
    messages.success(request, _("Version %(number)s restored as a new version.") % {"number": number})
    return redirect(article)


@customer_required
@require_GET
def help_list(request: HttpRequest) -> HttpResponse:
    filters = ArticleSearchForm(request.GET).filters()
    text = filters.get("q", "")
    service = selectors.service_for_browse(slug=filters.get("service"))
    articles = selectors.article_list_for_customer(text=text, service=service)
    context = {
        "page": uncounted_page(articles, request.GET.get("page"), PER_PAGE),
        "query": query_without(request, "page"),
        "text": text,
        "service": service,
        "services": selectors.services_with_articles(public_only=True),
    }
    return render(request, "knowledge/help_list.html", context)


@customer_required
@require_GET
def help_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get_for_customer(pk=pk)
    return render(request, "knowledge/help_detail.html", {"article": article})
