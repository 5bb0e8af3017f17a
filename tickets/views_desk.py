"""The agents' desk: the queue, one ticket with everything IT does to it, bulk changes."""

from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.permissions import agent_required, manager_required
from accounts.roles import Role
from core.pagination import query_with, query_without, uncounted_page
from customers import selectors as customer_selectors

from . import presence, selectors, services
from .exceptions import TicketError
from .forms import (
    AgentReplyForm,
    AssignForm,
    BulkUpdateForm,
    CcAddForm,
    CustomerFindForm,
    CustomerQuickCreateForm,
    EscalateForm,
    FulfilForm,
    ImprovementDoneForm,
    PriorityForm,
    ProcessEscalateForm,
    ProcessHealthForm,
    QueueFilterForm,
    RedirectForm,
    RootCauseForm,
    StatusChangeForm,
    TeachForm,
    TeamForm,
    TicketLogForm,
)
from .models import ProcessImprovement, Service, Ticket
from .selectors import QUEUE_ALL_STATUSES

QUEUE_PAGE_SIZE = 25
# The ticket page's collapsed panels, loaded when opened: the form, and the template defining it.
PANELS = {
    "process": (ProcessEscalateForm, "tickets/partials/_playbook.html"),
    "redirect": (RedirectForm, "tickets/agent_ticket.html"),
    "escalate": (EscalateForm, "tickets/agent_ticket.html"),
    "teach": (TeachForm, "tickets/partials/_playbook.html"),
    "fulfil": (FulfilForm, "tickets/partials/_playbook.html"),
}


@agent_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET, agents=account_selectors.agents_list)
    filters = form.filters()
    # A reference (SD-12, or 12) goes straight to its ticket, whatever its status.
    found = selectors.ticket_pk_for_reference(text=filters.q) if filters.q else None
    if found is not None:
        return _to_ticket(request, found)
    tickets = selectors.ticket_queue_for_agent(agent=request.user, filters=filters, now=timezone.now())
    page = uncounted_page(tickets, request.GET.get("page"), QUEUE_PAGE_SIZE)
    context = {
        "form": form,
        "filters": filters,
        "active_filters": form.active_filters(),
        "page": page,
        "tickets": page.object_list,
        "saved_views": selectors.SAVED_VIEWS,
        "bulk_form": BulkUpdateForm(agents=account_selectors.agents_list, auto_id="bulk-%s"),
        "query_without_page": query_without(request, "page"),
        "all_statuses_query": query_with(request, status=QUEUE_ALL_STATUSES, page=None),
        "show_filters": request.GET.get("panel") == "filters",
        "filters_panel_url": f"?{query_without(request, 'panel')}&panel=filters",
    }
    if request.htmx and request.GET.get("panel") == "filters":
        template = "tickets/queue.html#queue-filters"
    elif request.htmx:
        template = "tickets/queue.html#queue-results"
    else:
        template = "tickets/queue.html"
    return render(request, template, context)


@agent_required
@require_POST
def bulk_update(request: HttpRequest) -> HttpResponse:
    form = BulkUpdateForm(request.POST, agents=account_selectors.agents_list)
    back = reverse("tickets:queue") + "?" + request.POST.get("return_query", "")
    if not form.is_valid():
        for error in form.errors.get("__all__", []) + form.errors.get("tickets", []):
            messages.error(request, error)
        return redirect(back)
    outcome = services.ticket_bulk_update(
        tickets=list(form.cleaned_data["tickets"]),
        by=request.user,
        assignee=form.cleaned_data["assignee"],
        status=form.cleaned_data["status"],
    )
    if outcome.updated:
        count = len(outcome.updated)
        messages.success(request, ngettext("%d ticket updated.", "%d tickets updated.", count) % count)
    for ticket, reason in outcome.skipped:
        messages.warning(
            request,
            _("%(reference)s left as it was: %(reason)s") % {"reference": ticket.reference, "reason": reason},
        )
    return redirect(back)


@agent_required
def ticket_log_customer(request: HttpRequest) -> HttpResponse:
    """Logging a request for someone: first find them, or give them an account on the spot."""
    find = CustomerFindForm(request.GET or None)
    found = account_selectors.customer_search(text=find.cleaned_data["q"]) if find.is_valid() else []
    create = CustomerQuickCreateForm(request.POST or None)
    if request.method == "POST" and create.is_valid():
        customer = account_services.user_create(
            username=create.cleaned_data["email"][:150],
            role=Role.CUSTOMER,
            password=None,
            by=request.user,
            **create.cleaned_data,
        )
        messages.success(request, _("%(name)s has an account now.") % {"name": customer.display_name})
        return redirect("tickets:agent_log", customer=customer.pk)
    context = {"find": find, "found": found, "create": create, "searched": find.is_bound}
    return render(request, "tickets/ticket_log_customer.html", context)


@agent_required
def ticket_log(request: HttpRequest, customer: int) -> HttpResponse:
    """Logging a request for a caller or a visitor: everything follows as if they had sent it
    (their category's SLA, the confirmation e-mail, follow-ups), with how it came and who logged it."""
    customer = get_object_or_404(account_selectors.customer_search_base(), pk=customer)
    catalog = selectors.service_list_for_catalog()
    form = TicketLogForm(request.POST or None, request.FILES or None, services=catalog)
    if request.method == "POST" and form.is_valid():
        ticket = services.ticket_create(customer=customer, by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(reference)s logged for %(name)s.")
            % {"reference": ticket.reference, "name": customer.display_name},
        )
        return redirect("tickets:agent_detail", pk=ticket.pk)
    context = {
        "form": form,
        "customer": customer,
        "category": customer_selectors.customer_category_get(user=customer),
    }
    return render(request, "tickets/ticket_log.html", context)


@agent_required
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_ticket(request, selectors.ticket_get_for_agent(pk=pk))


@agent_required
@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    internal = "internal" in request.POST
    form = AgentReplyForm(request.POST, request.FILES)
    then = request.POST.get("then", "") if not internal else ""

    def send(data: dict) -> None:
        if data["then"]:
            services.ticket_reply_and_move(
                ticket=ticket,
                author=request.user,
                body=data["body"],
                status=data["then"],
                attachments=data["attachments"],
            )
        else:
            services.ticket_reply(
                ticket=ticket,
                author=request.user,
                body=data["body"],
                internal=internal,
                attachments=data["attachments"],
            )

    if internal:
        success = _("Internal note added.")
    elif then in Ticket.Status.values:  # an unknown one the form refuses
        success = _("Reply sent to the customer, and the request is now %(status)s.") % {
            "status": Ticket.Status(then).label.lower()
        }
    else:
        success = _("Reply sent to the customer.")
    return _act(request, ticket, form, send, success, form_name="reply_form")


@agent_required
@require_POST
def ticket_status(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        StatusChangeForm(request.POST, ticket=ticket),
        lambda data: services.ticket_status_change(ticket=ticket, by=request.user, status=data["status"]),
        _("Status changed."),
        form_name="status_form",
    )


@agent_required
@require_POST
def ticket_claim(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        Form(request.POST),
        lambda data: services.ticket_claim(ticket=ticket, agent=request.user),
        _("It is yours."),
        form_name="claim_form",
    )


@agent_required
@require_POST
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        AssignForm(request.POST, agents=account_selectors.agents_list),
        lambda data: services.ticket_assign(ticket=ticket, by=request.user, assignee=data["assignee"]),
        _("Assignee changed."),
        form_name="assign_form",
    )


@agent_required
@require_POST
def ticket_team(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        TeamForm(request.POST),
        lambda data: services.ticket_team_change(ticket=ticket, by=request.user, team=data["team"]),
        _("Team changed."),
        form_name="team_form",
    )


@agent_required
@require_POST
def ticket_priority(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        PriorityForm(request.POST),
        lambda data: services.ticket_priority_change(
            ticket=ticket, by=request.user, priority=data["priority"]
        ),
        _("Priority changed; the SLA due times follow it."),
        form_name="priority_form",
    )


@agent_required
@require_POST
def ticket_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        EscalateForm(request.POST),
        lambda data: services.ticket_escalate(ticket=ticket, by=request.user, **data),
        _("Escalated: the IT managers have been told."),
        form_name="escalate_form",
    )


@agent_required
@require_POST
def ticket_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        RedirectForm(request.POST),
        lambda data: services.ticket_redirect(ticket=ticket, by=request.user, **data),
        _("The customer has the official process, and the request is resolved as redirected."),
        form_name="redirect_form",
    )


@agent_required
@require_POST
def ticket_root_cause(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        RootCauseForm(request.POST),
        lambda data: services.ticket_root_cause_record(ticket=ticket, by=request.user, **data),
        _("Root cause recorded."),
        form_name="root_cause_form",
    )


@agent_required
@require_POST
def ticket_teach(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        TeachForm(request.POST),
        lambda data: services.ticket_teach_process(ticket=ticket, by=request.user, **data),
        _("The customer has the process, step by step. The request stays open."),
        form_name="teach_form",
    )


@agent_required
@require_POST
def ticket_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        FulfilForm(request.POST),
        lambda data: services.ticket_fulfil_anyway(ticket=ticket, by=request.user, **data),
        _("Done and resolved, recorded as done by IT although out of scope."),
        form_name="fulfil_form",
    )


@agent_required
@require_POST
def ticket_process_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        ProcessEscalateForm(request.POST),
        lambda data: services.process_escalate(ticket=ticket, by=request.user, **data),
        _("The managers have the process and your suggested fix; the customer hears when it changes."),
        form_name="process_form",
    )


@manager_required
@require_GET
def process_register(request: HttpRequest) -> HttpResponse:
    processes = selectors.process_register(since=timezone.now() - timedelta(days=90))
    context = {"processes": processes, "health_form": ProcessHealthForm(), "done_form": ImprovementDoneForm()}
    return render(request, "tickets/process_register.html", context)


@manager_required
@require_POST
def process_health(request: HttpRequest, pk: int) -> HttpResponse:
    process = get_object_or_404(Service, pk=pk)
    form = ProcessHealthForm(request.POST)
    if form.is_valid():
        services.process_health_set(process=process, by=request.user, health=form.cleaned_data["health"])
        messages.success(request, _("Health of %(process)s recorded.") % {"process": process})
    else:
        messages.error(request, _("Choose works, cumbersome or broken."))
    return redirect("tickets:process_register")


@manager_required
@require_POST
def improvement_done(request: HttpRequest, pk: int) -> HttpResponse:
    improvement = get_object_or_404(ProcessImprovement, pk=pk)
    form = ImprovementDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what changed: it is what the customers will read."))
        return redirect("tickets:process_register")
    try:
        services.process_improvement_complete(
            improvement=improvement, by=request.user, what_changed=form.cleaned_data["what_changed"]
        )
    except TicketError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done: every customer the process turned away will hear what changed."))
    return redirect("tickets:process_register")


@agent_required
@require_GET
def agent_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of an agent menu, fetched when the menu is first used (see _agent_select)."""
    return render(
        request,
        "tickets/partials/_agent_options.html",
        {
            "agents": account_selectors.agents_list(),
            "selected": request.GET.get("selected", ""),
            "empty": request.GET.get("empty", ""),
        },
    )


@agent_required
@require_POST
def ticket_cc_add(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    return _act(
        request,
        ticket,
        CcAddForm(request.POST),
        lambda data: services.ticket_cc_add(ticket=ticket, user=data["user"], by=request.user),
        _("Copied: they get the public replies from now on."),
        form_name="cc_form",
    )


@agent_required
@require_POST
def ticket_cc_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_agent(pk=pk)
    cc = selectors.ticket_cc_get(ticket=ticket, user_id=user_id)
    return _act(
        request,
        ticket,
        Form(request.POST),
        lambda data: services.ticket_cc_remove(ticket=ticket, user=cc.user, by=request.user),
        _("%(name)s is no longer copied.") % {"name": cc.user.display_name},
        form_name="cc_remove_form",
    )


@agent_required
@require_POST
def ticket_presence(request: HttpRequest, pk: int) -> HttpResponse:
    """The collision notice: check this agent in, and say who else is on the ticket."""
    others = presence.presence_check_in(
        ticket_id=pk, user=request.user, replying=request.POST.get("replying") == "true"
    )
    return render(request, "tickets/partials/_presence.html", {"others": others})


def _to_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """To the ticket's page: a redirect, or for htmx one the browser follows as a whole page."""
    url = reverse("tickets:agent_detail", args=[pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _act(request: HttpRequest, ticket: Ticket, form: Form, action: Callable, success: str, *, form_name: str):
    """Validate, call one service, and either go back to the ticket or show the form's errors:
    to htmx, just that form again (the page stays where it is); without JavaScript, the whole
    page with a summary of the errors at the top."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except TicketError as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return _render_ticket(request, ticket, status=400, failed=form_name, **{form_name: form})
    messages.success(request, success)
    return _to_ticket(request, ticket.pk)


# Where each of the ticket page's htmx forms is defined, to send just that form back with its
# errors. The reply form is a plain one: its refusals come back as the whole page.
FORM_PARTIALS = {
    "status_form": "tickets/agent_ticket.html#status-form",
    "claim_form": "tickets/agent_ticket.html#claim-form",
    "assign_form": "tickets/agent_ticket.html#assign-form",
    "team_form": "tickets/agent_ticket.html#team-form",
    "priority_form": "tickets/agent_ticket.html#priority-form",
    "root_cause_form": "tickets/partials/_playbook.html#root-cause-form",
    **{f"{panel}_form": f"{template}#{panel}-panel" for panel, (_form, template) in PANELS.items()},
}


def _render_ticket(
    request: HttpRequest, ticket: Ticket, *, status: int = 200, failed: str = "", **forms
) -> HttpResponse:
    panel = request.GET.get("panel", "")
    if request.htmx and panel in PANELS:
        form_class, template = PANELS[panel]
        form_name = f"{panel}_form"
        form = forms.get(form_name) or form_class()
        return render(request, f"{template}#{panel}-panel", {"ticket": ticket, form_name: form})
    context = {
        "panel": panel,
        "ticket": ticket,
        "conversation": selectors.ticket_conversation_for_agent(ticket=ticket),
        "request_attachments": selectors.ticket_request_attachments(ticket=ticket),
        "history": selectors.ticket_history(ticket=ticket),
        "reply_form": AgentReplyForm(),
        "status_form": StatusChangeForm(ticket=ticket),
        "assign_form": AssignForm(
            agents=account_selectors.agents_list, initial={"assignee": ticket.assignee_id}
        ),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "team_form": TeamForm(initial={"team": ticket.team_id}),
        "root_cause_form": RootCauseForm(initial={"root_cause": ticket.root_cause}),
        "teach_form": TeachForm(),
        "fulfil_form": FulfilForm(),
        "process_form": ProcessEscalateForm(),
        # Collapsed panels: their forms are built when opened (an htmx request for ?panel=).
        "escalate_form": EscalateForm(),
        "redirect_form": RedirectForm(),
        "claim_form": Form(),
        "ccs": selectors.ticket_cc_list(ticket=ticket),
        "cc_form": CcAddForm(),
        "cc_remove_form": Form(),
        "canned_responses": selectors.canned_response_list(),
        **forms,
    }
    if failed:
        context["failed_form"] = context[failed]
        context["failed_anchor"] = failed.replace("_", "-")
        if request.htmx and failed in FORM_PARTIALS:
            return render(request, FORM_PARTIALS[failed], context, status=status)
    return render(request, "tickets/agent_ticket.html", context, status=status)
