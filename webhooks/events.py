"""The events an endpoint can hear of, and what each one says.

A webhook's receiver is outside IT's walls, so a payload names only what the desk's own staff
would put in a status e-mail to another team: the ticket's reference, title, status, priority,
service, team, assignee and channel, and a link to the desk. Never the customer's category (IT's
internal label), never internal notes or any text of the conversation, never a survey's comment
(the customer's own words, written to IT; the grade says how it went).
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from surveys.models import RecoveryCase, Survey
from tickets.models import Ticket

TICKET_CREATED = "ticket.created"
TICKET_STATUS_CHANGED = "ticket.status_changed"
TICKET_ASSIGNED = "ticket.assigned"
TICKET_SLA_WARNING = "ticket.sla_warning"
TICKET_SLA_BREACHED = "ticket.sla_breached"
SURVEY_ANSWERED = "survey.answered"
RECOVERY_OPENED = "recovery.opened"
TEST = "webhook.test"

# What a manager chooses from, in this order, with the label the form shows.
EVENT_CHOICES = [
    (TICKET_CREATED, _("Ticket created")),
    (TICKET_STATUS_CHANGED, _("Ticket status changed")),
    (TICKET_ASSIGNED, _("Ticket assigned")),
    (TICKET_SLA_WARNING, _("SLA warning")),
    (TICKET_SLA_BREACHED, _("SLA breached")),
    (SURVEY_ANSWERED, _("Survey answered")),
    (RECOVERY_OPENED, _("Recovery case opened (grade D or F, or indifference)")),
]
EVENT_LABELS = {**dict(EVENT_CHOICES), TEST: _("Test")}

_STATUS_BY_LABEL = {label: value for value, label in Ticket.Status.choices}


def payload(event_type: str, data: dict, *, now: datetime) -> dict:
    return {"type": event_type, "timestamp": now.isoformat(), "data": data}


def ticket_data(ticket: Ticket) -> dict:
    """The ticket as a receiver outside IT sees it (see the module's docstring)."""
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "title": ticket.title,
        "status": ticket.status,
        "priority": ticket.priority,
        "service": ticket.service.name if ticket.service_id else None,
        "team": ticket.team.name if ticket.team_id else None,
        "assignee": ticket.assignee.display_name if ticket.assignee_id else None,
        "channel": ticket.channel,
        "url": settings.SITE_URL + ticket_staff_path(ticket),
    }


def ticket_staff_path(ticket: Ticket) -> str:
    return reverse("tickets:agent_detail", kwargs={"pk": ticket.pk})


def status_change_data(ticket: Ticket, *, old_label: str) -> dict:
    return {**ticket_data(ticket), "previous_status": _STATUS_BY_LABEL.get(old_label, "")}


def sla_data(ticket: Ticket) -> dict:
    """Which target the warning or breach is about, and when it is (was) due."""
    first = ticket.sla_alert_stage in (Ticket.SlaAlert.WARN_FIRST, Ticket.SlaAlert.BREACH_FIRST)
    due = ticket.first_response_due_at if first else ticket.resolution_due_at
    return {
        **ticket_data(ticket),
        "target": "first_response" if first else "resolution",
        "due_at": due.isoformat() if due else None,
    }


def survey_data(survey: Survey) -> dict:
    ticket = survey.ticket
    return {
        "survey_id": survey.pk,
        "grade": survey.grade,
        "answered_at": survey.answered_at.isoformat() if survey.answered_at else None,
        "ticket": {"id": ticket.pk, "reference": ticket.reference},
    }


def recovery_data(case: RecoveryCase) -> dict:
    return {
        "case_id": case.pk,
        "reason": case.reason,
        "opened_at": case.opened_at.isoformat(),
        "url": settings.SITE_URL + case.get_absolute_url(),
        **survey_data(case.survey),
    }
