"""A past staff meeting for the demo: the survey results discussed, two actions decided, one done."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from meetings import services
from meetings.models import Action, StaffMeeting
from tickets.models import Service, Ticket


def meetings_demo_seed(users: dict[str, User]) -> None:
    """The first time only: the meeting held ten days ago over the month before it."""
    if StaffMeeting.objects.exists():
        return
    now, today = timezone.now(), timezone.localdate()
    held_on = today - timedelta(days=10)
    maria = users["maria"]
    meeting = services.meeting_create(
        by=maria,
        period_first=held_on - timedelta(days=30),
        period_last=held_on - timedelta(days=1),
        held_on=held_on,
        notes="Printers cost us the most grade; Sam's customers keep praising his follow-ups.",
        attendees=[maria, users["sam"], users["priya"]],
        now=now - timedelta(days=10),
    )
    printers = Service.objects.get(slug="printer-faults")
    fixed = services.action_add(
        meeting=meeting,
        by=maria,
        kind=Action.Kind.PROCESS,
        description="Stock spare toner on every floor so a printer fault is fixed in one visit.",
        owner=users["priya"],
        due_on=held_on + timedelta(days=7),
        service=printers,
        tickets=list(Ticket.objects.filter(service=printers)[:2]),
        now=now - timedelta(days=10),
    )
    services.action_close(
        action=fixed,
        by=maria,
        what_was_done="Toner cupboards on floors 1 to 4, restocked every Monday.",
        now=now - timedelta(days=6),
    )
    services.action_add(
        meeting=meeting,
        by=maria,
        kind=Action.Kind.TRAINING,
        description="Walk the desk through Sam's call-back habit: say when you will call, then call.",
        owner=users["sam"],
        due_on=today + timedelta(days=5),
        service=Service.objects.get(slug="email"),
        now=now - timedelta(days=10),
    )
