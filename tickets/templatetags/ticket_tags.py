from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from customers.models import CustomerCategory
from tickets.models import Ticket

register = template.Library()


# The badges below are built in Python, not included templates: the queue shows one of each per
# row, and an {% include %} per badge costs more than the rest of the row.


@register.simple_tag
def sla_badge(ticket: Ticket) -> SafeString:
    """The SLA state badge with its target and due time, as the queue and the ticket page show it."""
    sla = ticket.sla_state(timezone.now())
    when = "target" if sla.state in ("met", "missed") else "due"
    return format_html(
        '<span class="sla-badge sla-{}"><span class="badge">{}</span>'
        '<span class="small d-block text-body-secondary">{} {} {}</span></span>',
        sla.state,
        sla.label,
        sla.target,
        when,
        _short_datetime(timezone.localtime(sla.due)),
    )


def _short_datetime(moment: datetime) -> str:
    # "Mon 23 Nov, 09:00", as the |date:"D j M, H:i" filter writes it, at a tenth of its cost
    # (the queue shows one per row; this project's interface is English only).
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M}"


@register.simple_tag
def status_badge(ticket: Ticket, customer_view: bool = False) -> SafeString:
    """The status as a coloured badge; the text carries the meaning. To customers, "pending
    customer" reads as what it means to them: IT is waiting for their answer."""
    label = (
        _("Waiting for you")
        if customer_view and ticket.status == Ticket.Status.PENDING
        else ticket.get_status_display()
    )
    return format_html('<span class="badge status-badge status-{}">{}</span>', ticket.status, label)


@register.simple_tag
def category_badge(category: str | None) -> SafeString:
    """The customer's category for IT's eyes only: never use this tag on a customer's page."""
    if category == CustomerCategory.VIP:
        return format_html('<span class="badge text-bg-warning">{}</span>', _("VIP"))
    if category == CustomerCategory.REPEAT_OFFENDER:
        return format_html('<span class="badge text-bg-dark">{}</span>', _("Repeat offender"))
    return mark_safe("")
