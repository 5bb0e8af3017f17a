"""Who changed what, for the records that keep no history of their own: one admin-log entry."""

from django.contrib.admin.models import LogEntry
from django.db import models

from accounts.models import User


def admin_log(obj: models.Model, by: User, action_flag: int, message: str) -> None:
    """Record that `by` made the change `message` (ADDITION, CHANGE…) to `obj` in the admin log,
    where its history page shows it."""
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=[obj], action_flag=action_flag, change_message=message, single_object=True
    )
