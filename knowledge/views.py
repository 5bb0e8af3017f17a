"""The knowledge base's pages: the desk's (every article, writing, history) and Help (customers)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.permissions import agent_required, customer_required
from core.pagination import query_without, uncounted_page
from tickets import selectors as ticket_selectors

from . import selectors, services
from .forms import ArticleForm, ArticleSearchForm, DocumentationFlagForm, SuggestionForm, VoteForm
from .models import Article, DocumentationFlag
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
    if view == StaffView.FLAGGED:
        listed = selectors.documentation_flags_open()
    else:
        listed = selectors.article_list_for_staff(
            text=text, service=service, view=view, today=timezone.localdate()
        )
    context = {
        "page": uncounted_page(listed, request.GET.get("page"), PER_PAGE),
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
    flags = list(selectors.documentation_flags_open(article=article))
    context = {
        "article": article,
        "today": timezone.localdate(),
        "stats": selectors.article_stats(article=article),
        "vote": selectors.article_vote_get(article=article, voter=request.user),
        "flags": flags,
        "flags_resolvable": {
            flag.pk for flag in flags if services.documentation_flag_can_resolve(flag=flag, user=request.user)
        },
    }
    return render(request, "knowledge/article_detail.html", context)


@agent_required
@require_POST
def article_vote(request: HttpRequest, pk: int) -> HttpResponse:
    return _vote(request, selectors.article_get_for_staff(pk=pk), back="knowledge:detail")


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
    context = {"article": article, "vote": selectors.article_vote_get(article=article, voter=request.user)}
    return render(request, "knowledge/help_detail.html", context)


@customer_required
@require_POST
def help_vote(request: HttpRequest, pk: int) -> HttpResponse:
    return _vote(request, selectors.article_get_for_customer(pk=pk), back="knowledge:help_detail")


def _vote(request: HttpRequest, article, *, back: str) -> HttpResponse:
    """Helpful or not, from the article's page (the desk's or Help's), back to that page (`back`)."""
    form = VoteForm(request.POST)
    if form.is_valid():
        services.article_vote(article=article, voter=request.user, helpful=form.cleaned_data["helpful"])
        messages.success(request, _("Thank you: your answer is counted."))
    else:
        messages.error(request, _("Choose Yes or No."))
    return redirect(back, pk=article.pk)


@customer_required
@require_GET
def help_suggestions(request: HttpRequest) -> HttpResponse:
    """Beside the new-request form: articles that may already answer what the customer is typing
    (htmx swaps this fragment in as they type the title or choose the service)."""
    form = SuggestionForm(request.GET, services=ticket_selectors.service_list_for_catalog())
    articles = []
    if form.is_valid():
        data = form.cleaned_data
        articles = selectors.article_suggestions(text=data["title"], service=data["service"])
    return render(request, "knowledge/_suggestions.html", {"articles": articles})


@customer_required
@require_http_methods(["GET", "POST"])
def help_solved(request: HttpRequest, pk: int) -> HttpResponse:
    """A suggestion's "This solved it": the deflection is counted, no request is sent, and the
    customer lands on a page that says so (POST, then this page by GET)."""
    article = selectors.article_get_for_customer(pk=pk)
    if request.method == "POST":
        form = SuggestionForm(request.POST, services=ticket_selectors.service_list_for_catalog())
        if not form.is_valid():
            return render(
                request, "knowledge/help_solved.html", {"article": article, "form": form}, status=400
            )
        services.deflection_record(
            article=article,
            customer=request.user,
            service=form.cleaned_data["service"],
            typed_title=form.cleaned_data["title"],
        )
        here = reverse("knowledge:help_solved", args=[article.pk])
        return HttpResponseClientRedirect(here) if request.htmx else redirect(here)
    return render(request, "knowledge/help_solved.html", {"article": article})

    return render(request, "knowledge/help_detail.html", {"article": article})


@agent_required
@require_GET
def ticket_articles(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket page's knowledge panel (loaded by htmx): suggested articles, a search, the flags."""
    ticket = ticket_selectors.ticket_get_for_agent(pk=pk)
    return _ticket_panel(request, ticket, DocumentationFlagForm())


@agent_required
@require_GET
def article_pick(request: HttpRequest) -> HttpResponse:
    """The panel's search box: published articles (staff-only ones marked) to insert into a reply."""
    text = ArticleSearchForm(request.GET).filters().get("q", "")
    context = {"articles": _insertable(selectors.article_search_for_desk(text=text)), "text": text}
    return render(request, "knowledge/_ticket_articles.html#article-results", context)


@agent_required
@require_POST
def ticket_documentation_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """Flag documentation missing or wrong from a ticket; the panel comes back saying who was told."""
    ticket = ticket_selectors.ticket_get_for_agent(pk=pk)
    form = DocumentationFlagForm(request.POST)
    if form.is_valid():
        try:
            flag = services.documentation_flag_raise(ticket=ticket, by=request.user, **form.cleaned_data)
        except services.DocumentationFlagError as exc:
            form.add_error(None, str(exc))
        else:
            return _ticket_panel(request, ticket, DocumentationFlagForm(), flagged=flag)
    return _ticket_panel(request, ticket, form, status=400)


@agent_required
@require_POST
def documentation_flag_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.documentation_flag_get(pk=pk)
    try:
        services.documentation_flag_resolve(flag=flag, by=request.user)
    except services.DocumentationFlagError as exc:
        if not services.documentation_flag_can_resolve(flag=flag, user=request.user):
            raise PermissionDenied(str(exc)) from None
        messages.info(request, str(exc))
    else:
        messages.success(request, _("Flag resolved."))
    return redirect(flag.article or flag.draft)


def _ticket_panel(
    request: HttpRequest,
    ticket,
    form: DocumentationFlagForm,
    *,
    flagged: DocumentationFlag | None = None,
    status: int = 200,
) -> HttpResponse:
    suggestions = selectors.article_suggestions_for_ticket(ticket=ticket)
    context = {
        "ticket": ticket,
        "articles": _insertable(suggestions),
        "suggestions": suggestions,
        "flag_form": form,
        "flagged": flagged,
    }
    return render(request, "knowledge/_ticket_articles.html", context, status=status)


def _insertable(articles: list[Article]) -> list[dict]:
    """Each article with the Markdown its buttons insert: a link (Help's for a public article, the
    desk's for a staff-only one, which goes in an internal note only) and the summary with it."""
    rows = []
    for article in articles:
        public = article.is_public
        url = services.article_link_url(article=article, for_customer=public)
        title = article.title.replace("[", "\\[").replace("]", "\\]")
        link = f"[{title}]({url})"
        rows.append(
            {
                "article": article,
                "public": public,
                "url": url,
                "link": link,
                "summary": f"{article.summary} ({link})" if article.summary else link,
            }
        )
    return rows
