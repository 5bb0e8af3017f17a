"""The desk's changes, heard from the tickets and surveys apps' signals, queued as webhook events
in the transaction of the change (services.event_publish)."""

from functools import partial

from surveys.models import RecoveryCase, Survey
from surveys.signals import recovery_case_opened, survey_answered
from tickets.models import Ticket, TicketEvent
from tickets.signals import ticket_event_recorded

from . import events, services

_TICKET_EVENTS = {
    TicketEvent.Kind.CREATED: events.TICKET_CREATED,
    TicketEvent.Kind.STATUS_CHANGED: events.TICKET_STATUS_CHANGED,
    TicketEvent.Kind.ASSIGNED: events.TICKET_ASSIGNED,
    TicketEvent.Kind.SLA_WARNED: events.TICKET_SLA_WARNING,
    TicketEvent.Kind.SLA_BREACHED: events.TICKET_SLA_BREACHED,
}


def connect() -> None:
    ticket_event_recorded.connect(ticket_event, dispatch_uid="webhooks.ticket_event")
    survey_answered.connect(survey_answer, dispatch_uid="webhooks.survey_answered")
    recovery_case_opened.connect(recovery_opened, dispatch_uid="webhooks.recovery_opened")


def ticket_event(sender, ticket: Ticket, event: TicketEvent, **kwargs) -> None:
    event_type = _TICKET_EVENTS.get(event.kind)
    if event_type is None:
        return
    if event_type == events.TICKET_STATUS_CHANGED:
        data = partial(events.status_change_data, ticket, old_label=event.old_value)
    elif event_type in (events.TICKET_SLA_WARNING, events.TICKET_SLA_BREACHED):
        data = partial(events.sla_data, ticket)
    else:
        data = partial(events.ticket_data, ticket)
    # Built only if an endpoint listens: its service, team and assignee cost a query each.
    services.event_publish(
        event_type=event_type, data=data, occasion=f"ticket-event:{event.pk}", now=event.created_at
    )


def survey_answer(sender, survey: Survey, **kwargs) -> None:
    services.event_publish(
        event_type=events.SURVEY_ANSWERED,
        data=partial(events.survey_data, survey),
        occasion=f"survey-answered:{survey.pk}",
        now=survey.answered_at,
    )


def recovery_opened(sender, case: RecoveryCase, **kwargs) -> None:
    services.event_publish(
        event_type=events.RECOVERY_OPENED,
        data=partial(events.recovery_data, case),
        occasion=f"recovery-opened:{case.pk}",
        now=case.opened_at,
    )
