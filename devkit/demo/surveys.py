"""Three weeks of grades for the demo: a report card worth reading, and recovery in each state."""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.utils import timezone

from accounts.models import User
from surveys import services
from surveys.models import RecoveryCase, Survey
from tickets import services as ticket_services
from tickets.models import Service, Ticket


class Graded(NamedTuple):
    customer: str
    agent: str
    service: str
    title: str
    days_ago: int
    grade: str
    dimensions: tuple[
        int, int, int, int, int
    ]  # responsiveness, reliability, assurance, empathy, communication
    driver: str
    would_choose_us: str
    felt_indifference: bool
    comment: str
    channel: str = Ticket.Channel.PORTAL  # how the request came in (a call or a visit: logged by the agent)


GRADED = [
    Graded("ben", "priya", "printer-faults", "Printer offline on floor 3", 20, "D", (2, 3, 3, 3, 2), "speed",
           "not_sure", False, "Three days for a printer. We print contracts all day.", Ticket.Channel.PHONE),
    Graded("alice", "sam", "email", "Out-of-office reply not working", 18, "A", (5, 5, 5, 5, 5), "attitude",
           "yes", False, "Sam explained what had gone wrong and checked back the next morning.",
           Ticket.Channel.EMAIL),
    Graded("dana", "priya", "printer-faults", "Label printer jams every morning", 16, "B", (4, 4, 5, 4, 4),
           "speed", "yes", False, "", Ticket.Channel.PHONE),
    Graded("chen", "priya", "laptops", "Battery lasts two hours", 14, "A", (5, 4, 5, 5, 5), "outcome", "yes",
           False, "A new battery the same afternoon.", Ticket.Channel.WALK_IN),
    Graded("alice", "priya", "software", "Excel add-in missing after the update", 12, "C", (3, 3, 4, 3, 3),
           "outcome", "not_sure", False, ""),
    Graded("ben", "sam", "accounts", "Password expired while travelling", 11, "B", (4, 4, 4, 4, 4), "speed",
           "yes", False, "", Ticket.Channel.PHONE),
    Graded("dana", "sam", "vpn", "VPN will not connect from home", 9, "D", (2, 3, 3, 2, 1), "communication",
           "no", False, "Nobody told me it was waiting on the network team for two days.",
           Ticket.Channel.EMAIL),
    Graded("dana", "sam", "email", "Mailbox full, cannot send", 6, "F", (1, 2, 3, 1, 1), "attitude", "no", True,
           "I was told it was my own fault for keeping attachments and left to sort it out. "
           "I cannot take this anywhere else.", Ticket.Channel.PHONE),
    Graded("ben", "priya", "laptops", "Docking station does not charge the laptop", 5, "C", (3, 3, 3, 3, 3),
           "outcome", "not_sure", False, "", Ticket.Channel.WALK_IN),
    Graded("alice", "sam", "accounts", "Access to the payables share", 4, "B", (4, 5, 4, 4, 4), "attitude",
           "yes", False, "Friendly and quick."),
    Graded("chen", "sam", "email", "Delegate access for my assistant", 3, "A", (5, 5, 5, 5, 4), "speed", "yes",
           False, "", Ticket.Channel.EMAIL),
]  # fmt: skip


def surveys_demo_seed(users: dict[str, User]) -> None:
    """The first time only: graded requests, recovery cases, and one survey waiting for Alice."""
    if Survey.objects.filter(answered_at__isnull=False).exists():
        return
    now = timezone.now()
    for graded in GRADED:
        resolved_at = now - timedelta(days=graded.days_ago)
        ticket = _resolved(
            users,
            customer=graded.customer,
            agent=graded.agent,
            service=graded.service,
            title=graded.title,
            resolved_at=resolved_at,
            channel=graded.channel,
        )
        survey = ticket.surveys.get()
        services.survey_invite_send(survey_id=survey.pk, now=survey.invite_due_at)
        answered_at = resolved_at + timedelta(hours=5)
        responsiveness, reliability, assurance, empathy, communication = graded.dimensions
        services.survey_answer(
            survey=survey,
            answers={
                "grade": graded.grade,
                "responsiveness": responsiveness,
                "reliability": reliability,
                "assurance": assurance,
                "empathy": empathy,
                "communication": communication,
                "driver": graded.driver,
                "would_choose_us": graded.would_choose_us,
                "felt_indifference": graded.felt_indifference,
                "comment": graded.comment,
            },
            now=answered_at,
        )
        _recovery_story(graded, survey, users["maria"], answered_at)
    # Alice has a request resolved this morning, waiting for her grade (the portal and the e-mail).
    _resolved(
        users,
        customer="alice",
        agent="priya",
        service="laptops",
        title="Second monitor flickers",
        resolved_at=now - timedelta(hours=3),
    )


def _resolved(
    users: dict[str, User],
    *,
    customer: str,
    agent: str,
    service: str,
    title: str,
    resolved_at: datetime,
    channel: str = Ticket.Channel.PORTAL,
) -> Ticket:
    agent_user = users[agent]
    logged = channel in (Ticket.Channel.PHONE, Ticket.Channel.WALK_IN)  # the agent took the call or visit
    ticket = ticket_services.ticket_create(
        customer=users[customer],
        channel=channel,
        by=agent_user if logged else None,
        service=Service.objects.get(slug=service),
        title=title,
        description="See the title.",
        urgency="medium",
        impact="low",
        now=resolved_at - timedelta(hours=6),
    )
    ticket_services.ticket_claim(ticket=ticket, agent=agent_user, now=resolved_at - timedelta(hours=5))
    ticket_services.ticket_reply(
        ticket=ticket, author=agent_user, body="Done: please check it works for you.", now=resolved_at
    )
    ticket_services.ticket_root_cause_record(
        ticket=ticket, by=agent_user, root_cause=Ticket.RootCause.IT_WORK, now=resolved_at
    )
    return ticket_services.ticket_status_change(
        ticket=ticket, by=agent_user, status=Ticket.Status.RESOLVED, now=resolved_at
    )


def _recovery_story(graded: Graded, survey: Survey, maria: User, answered_at: datetime) -> None:
    """The oldest D was put right; the VPN D is in hand; the F waits for a manager."""
    case = RecoveryCase.objects.filter(survey=survey).first()
    if case is None or graded.grade == "F":
        return
    contacted_at = answered_at + timedelta(hours=20)
    services.recovery_case_take(case=case, by=maria, now=contacted_at)
    services.recovery_contact_record(
        case=case,
        by=maria,
        channel=RecoveryCase.Channel.PHONE,
        notes="Called to apologise and listened. Explained what we are changing.",
        contacted_at=contacted_at,
        now=contacted_at,
    )
    if graded.days_ago >= 20:
        services.recovery_case_close(
            case=case,
            by=maria,
            outcome=RecoveryCase.Outcome.RECOVERED,
            notes="Printer faults on sales floors are now high priority; Ben was happy with that.",
            now=contacted_at + timedelta(days=1),
        )
