from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from meetings.models import Action, StaffMeeting
from meetings.services import action_add, meeting_create
from tickets.models import Service

from ..accounts.factories import ManagerFactory


def meeting(*, by: User | None = None, days: int = 30, held_days_ago: int = 0, **fields) -> StaffMeeting:
    """A meeting over the last `days` days' figures, held `held_days_ago` days ago."""
    today = timezone.localdate()
    return meeting_create(
        by=by or ManagerFactory(),
        period_first=today - timedelta(days=days - 1),
        period_last=today,
        held_on=today - timedelta(days=held_days_ago),
        **fields,
    )


def action(
    *, on: StaffMeeting, owner: User, service: Service | None = None, due_in_days: int = 7, **fields
) -> Action:
    fields.setdefault("kind", Action.Kind.PROCESS)
    fields.setdefault("description", "Shorten the laptop request form")
    return action_add(
        meeting=on,
        by=on.created_by,
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=due_in_days),
        service=service,
        **fields,
    )
