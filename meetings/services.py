"""Everything the meetings app changes; each change writes a MeetingEvent naming who made it."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.services import notify
from reports.periods import quarter_start
from surveys.models import Grade, Survey
from tickets.models import Service, Ticket
from tickets.selectors import desk_is_open

from . import selectors
from .exceptions import MeetingError
from .models import Action, MeetingEvent, Nomination, StaffMeeting


def _event(
    kind: str,
    *,
    by: User | None,
    now: datetime,
    meeting: StaffMeeting | None = None,
    action: Action | None = None,
    note: str = "",
) -> None:
    MeetingEvent.objects.create(
        meeting=meeting or (action.meeting if action else None),
        action=action,
        actor=by,
        kind=kind,
        note=note,
        created_at=now,
    )


@transaction.atomic
def meeting_create(
    *,
    by: User,
    period_first: date,
    period_last: date,
    held_on: date,
    notes: str = "",
    attendees: list[User] | tuple = (),
    now: datetime | None = None,
) -> StaffMeeting:
    """Record a staff meeting over a period's figures. Audited."""
    now = now or timezone.now()
    meeting = StaffMeeting.objects.create(
        period_first=period_first,
        period_last=period_last,
        held_on=held_on,
        notes=notes,
        created_by=by,
        created_at=now,
    )
    meeting.attendees.set(attendees)
    _event(MeetingEvent.Kind.HELD, by=by, now=now, meeting=meeting, note=str(meeting.period))
    return meeting


@transaction.atomic
def meeting_notes_set(
    *, meeting: StaffMeeting, by: User, notes: str, now: datetime | None = None
) -> StaffMeeting:
    """Replace the meeting's notes (the old ones stay in the audit trail)."""
    meeting = StaffMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.notes == notes:
        return meeting
    old, meeting.notes = meeting.notes, notes
    meeting.save(update_fields=["notes"])
    _event(MeetingEvent.Kind.NOTES, by=by, now=now or timezone.now(), meeting=meeting, note=old)
    return meeting


@transaction.atomic
def action_add(
    *,
    meeting: StaffMeeting,
    by: User,
    kind: str,
    description: str,
    owner: User,
    due_on: date,
    service: Service | None = None,
    tickets: list[Ticket] | tuple = (),
    now: datetime | None = None,
) -> Action:
    """Decide on an improvement; its owner is told (e-mail and notice). Audited."""
    now = now or timezone.now()
    action = Action.objects.create(
        meeting=meeting,
        kind=kind,
        description=description,
        owner=owner,
        due_on=due_on,
        service=service,
        created_at=now,
    )
    action.tickets.set(tickets)
    _event(MeetingEvent.Kind.ACTION_ADDED, by=by, now=now, action=action, note=description)
    notify(
        recipient=owner,
        key=f"meeting-action:{action.pk}",
        template="meetings/action_assigned",
        context={"action": action, "by": by},
        url=meeting.get_absolute_url(),
        now=now,
    )
    return action


@transaction.atomic
def action_close(*, action: Action, by: User, what_was_done: str, now: datetime | None = None) -> Action:
    """Close an action with what was done; from then on its service's grades are compared before
    and after. Audited."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.closed_at:
        raise MeetingError(_("This action is already closed."))
    action.closed_at, action.what_was_done = now or timezone.now(), what_was_done
    action.save(update_fields=["closed_at", "what_was_done"])
    _event(MeetingEvent.Kind.ACTION_CLOSED, by=by, now=action.closed_at, action=action, note=what_was_done)
    return action


def action_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the owner of each open action due today or overdue, once per due date, and only in
    business hours (the desk's working calendar). Returns how many were reminded."""
    now = now or timezone.now()
    if not desk_is_open(now=now):
        return 0  # the desk is closed: the next run in business hours sends them
    reminded = 0
    for pk in selectors.actions_due_for_reminder(today=timezone.localdate(now)).values_list("pk", flat=True):
        with transaction.atomic():
            action = Action.objects.select_for_update().select_related("owner", "meeting").get(pk=pk)
            if action.closed_at or action.reminded_for == action.due_on:
                continue  # closed, or reminded by another run, since the list was read
            notify(
                recipient=action.owner,
                key=f"meeting-action-due:{action.pk}:{action.due_on.isoformat()}",
                template="meetings/action_due",
                context={"action": action},
                url=action.meeting.get_absolute_url(),
                now=now,
            )
            action.reminded_for = action.due_on
            action.save(update_fields=["reminded_for"])
            _event(
                MeetingEvent.Kind.ACTION_REMINDED, by=None, now=now, action=action, note=str(action.due_on)
            )
            reminded += 1
    return reminded


@transaction.atomic
def nomination_add(*, survey: Survey, by: User, now: datetime | None = None) -> Nomination:
    """Put the agent of an A graded with a comment (kudos) forward for its quarter's award. Audited."""
    now = now or timezone.now()
    if survey.grade != Grade.A or not survey.comment or survey.agent_id is None or survey.cancelled_at:
        raise MeetingError(_("Only an A with a comment, on an agent's request, can be nominated."))
    quarter = quarter_start(timezone.localdate(survey.resolved_at))
    nomination, created = Nomination.objects.get_or_create(
        quarter=quarter,
        survey=survey,
        defaults={"agent_id": survey.agent_id, "nominated_by": by, "created_at": now},
    )
    if created:
        _event(
            MeetingEvent.Kind.NOMINATED,
            by=by,
            now=now,
            note=f"{survey.agent} for {quarter:%Y-%m} (survey {survey.pk})",
        )
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, by: User, now: datetime | None = None) -> None:
    """Take a nomination back. Audited."""
    _event(
        MeetingEvent.Kind.NOMINATION_WITHDRAWN,
        by=by,
        now=now or timezone.now(),
        note=f"{nomination.agent} for {nomination.quarter:%Y-%m} (survey {nomination.survey_id})",
    )
    nomination.delete()
