from datetime import timedelta

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import public, signed_in_required
from accounts.roles import Role
from customers import selectors as customer_selectors
from surveys import selectors as survey_selectors
from surveys.figures import report_card
from tickets import selectors as ticket_selectors

from . import health

HOME_TEMPLATES = {
    Role.CUSTOMER: "core/home_customer.html",
    Role.AGENT: "core/home_agent.html",
    Role.MANAGER: "core/home_manager.html",
}


@signed_in_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home page; an account without a role is told whom to ask."""
    role = request.user.role
    context = {"role": role}
    now = timezone.now()
    if role == Role.CUSTOMER:
        requests = ticket_selectors.ticket_list_for_customer(customer=request.user)
        context["open_tickets"] = requests.unresolved()[:5]
        context["surveys_awaiting"] = survey_selectors.surveys_awaiting_customer(
            customer=request.user, now=now
        )
    else:
        context["summary"] = ticket_selectors.desk_summary_for_agent(agent=request.user, now=now)
    if role == Role.MANAGER:
        context["suggestions"] = customer_selectors.repeat_offender_suggestions_pending()[:10]
        context["recovery_open"] = survey_selectors.recovery_cases_unclosed_count()
        context["report_card"] = report_card(
            survey_selectors.surveys_resolved_since(since=now - timedelta(days=30))
        )
    return render(request, HOME_TEMPLATES.get(role, "core/home_no_role.html"), context)


@public("the load balancer's liveness probe; it answers with nothing but ok")
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so it never flaps with a dependency."""
    return JsonResponse({"status": "ok"})


@public("the load balancer's readiness probe; it says which dependency fails and why, no desk data")
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database and the broker answer, 503 naming what does not."""
    checks = health.readiness()
    ready = not any(checks.values())
    return JsonResponse(
        {
            "status": "ready" if ready else "unavailable",
            "checks": {name: problem or "ok" for name, problem in checks.items()},
        },
        status=200 if ready else 503,
    )
