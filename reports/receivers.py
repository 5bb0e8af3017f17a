"""Mark rollup days stale when what they sum changes (see rollups.py)."""

from django.db.models.signals import post_save
from django.utils import timezone

from customers.models import CategoryChange
from surveys.models import Survey
from surveys.signals import survey_answered
from tickets.models import Ticket

from .rollups import rollup_days_mark_stale

# Saves that change none of these leave a ticket's figures as they were (follow-up bookkeeping).
TICKET_FIELDS_COUNTED = frozenset(
    {
        "status",
        "assignee",
        "team",
        "service",
        "priority",
        "customer",
        "first_responded_at",
        "first_response_due_at",
        "resolved_at",
        "resolution_due_at",
        "created_at",
        "channel",
    }
)


def connect() -> None:
    post_save.connect(ticket_saved, sender=Ticket, dispatch_uid="reports.ticket_saved")
    post_save.connect(survey_saved, sender=Survey, dispatch_uid="reports.survey_saved")
    survey_answered.connect(survey_saved, dispatch_uid="reports.survey_answered")
    post_save.connect(category_changed, sender=CategoryChange, dispatch_uid="reports.category_changed")


def ticket_saved(sender, instance: Ticket, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not TICKET_FIELDS_COUNTED.intersection(update_fields):
        return
    days = [timezone.localdate(instance.created_at)]
    if update_fields is not None and "channel" in update_fields:
        # Surveys count by their ticket's channel (they copy the rest): their days change too. The
        # channel is set when a ticket is made and nothing changes it yet; this keeps a change right.
        days += instance.surveys.dates("resolved_at", "day")
    rollup_days_mark_stale(days)


def survey_saved(sender, instance: Survey | None = None, survey: Survey | None = None, **kwargs) -> None:
    rollup_days_mark_stale([timezone.localdate((instance or survey).resolved_at)])


def category_changed(sender, instance: CategoryChange, created: bool, **kwargs) -> None:
    """Ticket figures by category use the customer's category now: every day of theirs changes."""
    if created:
        days = Ticket.objects.filter(customer_id=instance.profile.user_id).dates("created_at", "day")
        rollup_days_mark_stale(days)
