from decimal import Decimal

from django import template
from django.utils import timezone

from accounts.permissions import Access
from surveys import selectors

register = template.Library()


@register.filter
def percent(share: Decimal | None) -> str:
    """A share (0.425) as a percentage to one decimal ("42.5%"); a dash when there is nothing to share."""
    if share is None:
        return "—"
    return f"{share * 100:.1f}%"


# The ticket pages belong to the tickets app, which does not know about surveys (it only announces
# resolutions); these tags let those pages show the survey parts. Each runs one query per page.


@register.inclusion_tag("surveys/partials/_customer_offer.html")
def survey_offer_for_customer(ticket) -> dict:
    """On the customer's request page: grade it, or the grade they gave."""
    survey = selectors.survey_for_customer_ticket(ticket=ticket)
    return {"survey": survey, "now": timezone.now()}


@register.inclusion_tag("surveys/partials/_ticket_grades.html", takes_context=True)
def ticket_grades(context, ticket) -> dict:
    """On the desk's ticket page: the grades this member of staff may read (resolver and managers)."""
    user = context["request"].user
    return {
        "surveys": selectors.surveys_answered_for_ticket(ticket=ticket, user=user),
        "can_flag": user.has_perm(Access.MANAGER.permission),  # what indifference_flag requires
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def percent_number(share: Decimal | None) -> str:
    """A share as a bare number of percent ("42.5"), for SVG bars; never localised."""
    return f"{(share or 0) * 100:.1f}"
