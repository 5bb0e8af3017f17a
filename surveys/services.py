"""Everything the surveys app changes: invite, remind, answer, and recover unhappy customers."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from customers import selectors as customer_selectors
from notifications import publisher
from notifications.services import notifications_mark_done, notify, notify_managers
from tickets.models import ProcessImprovement, Ticket, TicketEvent

from .exceptions import SurveyAlreadyAnswered, SurveyClosed, SurveyError
from .figures import report_card
from .models import POOR_GRADES, Grade, RecoveryCase, RecoveryEvent, Survey
from .signals import recovery_case_opened, survey_answered
from .tokens import survey_token_make

INVITE_TASK = "surveys.tasks.survey_invite_send_task"


@transaction.atomic
def survey_for_resolution(*, ticket: Ticket) -> Survey | None:
    """A ticket was resolved (inside its transaction): schedule the customer's invitation.

    One survey per ticket: resolving again after a reopen only reschedules an invitation not yet
    sent, unless SURVEY_AGAIN_AFTER_REOPEN asks for a survey of each resolution.
    """
    now = ticket.resolved_at
    invite_due_at = now + timedelta(minutes=settings.SURVEY_INVITE_DELAY_MINUTES)
    latest = Survey.objects.select_for_update().filter(ticket=ticket).order_by("-round").first()
    if latest is not None and latest.invited_at is None and latest.answered_at is None:
        # Reopened before the invitation went out: it now follows this resolution.
        latest.invite_due_at = invite_due_at
        latest.expires_at = invite_due_at + timedelta(days=settings.SURVEY_ANSWER_DAYS)
        latest.cancelled_at = None
        latest.save(update_fields=["invite_due_at", "expires_at", "cancelled_at"])
        _invite_after_commit(latest)
        return latest
    if latest is not None and not settings.SURVEY_AGAIN_AFTER_REOPEN:
        return None
    if latest is not None and latest.answered_at is None:
        latest.cancelled_at = now
        latest.save(update_fields=["cancelled_at"])
    survey = Survey.objects.create(
        ticket=ticket,
        round=latest.round + 1 if latest else 1,
        customer_id=ticket.customer_id,
        agent_id=ticket.assignee_id,
        team_id=ticket.team_id,
        service_id=ticket.service_id,
        priority=ticket.priority,
        customer_category=customer_selectors.customer_category_get(user=ticket.customer),
        resolved_at=now,
        created_at=now,
        invite_due_at=invite_due_at,
        expires_at=invite_due_at + timedelta(days=settings.SURVEY_ANSWER_DAYS),
    )
    _invite_after_commit(survey)
    return survey


def survey_invite_send(*, survey_id: int, now: datetime | None = None, skip_locked: bool = False) -> bool:
    """E-mail the invitation if it is due and still makes sense; True if it was written.

    Safe to run twice or at once: the survey row is locked and `invited_at` says it was done.
    """
    now = now or timezone.now()
    with transaction.atomic():
        survey = _lock(survey_id, skip_locked=skip_locked)
        if (
            survey is None
            or survey.invited_at is not None
            or not survey.is_open_for_answers(now)
            or survey.invite_due_at is None
            or survey.invite_due_at > now
        ):
            return False
        if not _still_resolved(survey):
            # Reopened: the next resolution schedules it again.
            survey.invite_due_at = None
            survey.save(update_fields=["invite_due_at"])
            return False
        survey.invited_at = now
        reminder_due_at = now + timedelta(days=settings.SURVEY_REMINDER_AFTER_DAYS)
        survey.reminder_due_at = reminder_due_at if reminder_due_at < survey.expires_at else None
        survey.save(update_fields=["invited_at", "reminder_due_at"])
        _email_customer(survey, key=_invitation_key(survey), template="surveys/invitation", now=now)
    return True


def survey_reminder_send(*, survey_id: int, now: datetime | None = None, skip_locked: bool = False) -> bool:
    """The one reminder, if the survey is still unanswered when it falls due."""
    now = now or timezone.now()
    with transaction.atomic():
        survey = _lock(survey_id, skip_locked=skip_locked)
        if (
            survey is None
            or survey.invited_at is None
            or survey.reminded_at is not None
            or not survey.is_open_for_answers(now)
            or survey.reminder_due_at is None
            or survey.reminder_due_at > now
        ):
            return False
        if not _still_resolved(survey):
            survey.reminder_due_at = None  # reopened since: do not ask about a request being reworked
            survey.save(update_fields=["reminder_due_at"])
            return False
        survey.reminded_at = now
        survey.save(update_fields=["reminded_at"])
        _email_customer(survey, key=_reminder_key(survey), template="surveys/reminder", now=now)
    return True


def surveys_due_send(*, now: datetime | None = None, batch_size: int = 500) -> tuple[int, int]:
    """Send every invitation and reminder that is due; returns (invitations, reminders) written.

    Reads the due set through partial indexes, so its cost follows what is due, not how many
    surveys exist. Rows another run holds are skipped, so overlapping sweeps send nothing twice.
    """
    now = now or timezone.now()
    invitations = Survey.objects.filter(
        invited_at__isnull=True,
        answered_at__isnull=True,
        cancelled_at__isnull=True,
        invite_due_at__isnull=False,
        invite_due_at__lte=now,
    ).order_by("invite_due_at")
    reminders = Survey.objects.filter(
        reminded_at__isnull=True,
        answered_at__isnull=True,
        cancelled_at__isnull=True,
        reminder_due_at__isnull=False,
        reminder_due_at__lte=now,
    ).order_by("reminder_due_at")
    invited = sum(
        survey_invite_send(survey_id=pk, now=now, skip_locked=True)
        for pk in list(invitations.values_list("pk", flat=True)[:batch_size])
    )
    reminded = sum(
        survey_reminder_send(survey_id=pk, now=now, skip_locked=True)
        for pk in list(reminders.values_list("pk", flat=True)[:batch_size])
    )
    return invited, reminded


def survey_answer(*, survey: Survey, answers: dict, now: datetime | None = None) -> Survey:
    """Record the customer's answer, once. A D or F, or indifference, opens a recovery case.

    Single use is enforced by the database: the update only matches an unanswered, open row, so
    two submissions at once (a double click, a replayed link) record one answer.
    """
    now = now or timezone.now()
    with transaction.atomic():
        recorded = Survey.objects.filter(
            pk=survey.pk, answered_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now
        ).update(answered_at=now, **answers)
        survey.refresh_from_db()
        if not recorded:
            if survey.answered_at is not None:
                raise SurveyAlreadyAnswered(_("This request has already been graded. Thank you."))
            raise SurveyClosed(_("This survey has closed."))
        # "How did IT do?" is answered: its notices are done.
        notifications_mark_done(occasions=[_invitation_key(survey), _reminder_key(survey)], now=now)
        survey_answered.send(sender=Survey, survey=survey)
        if survey.grade in POOR_GRADES:
            recovery_case_open(survey=survey, reason=RecoveryCase.Reason.POOR_GRADE, now=now)
        elif survey.felt_indifference:
            recovery_case_open(survey=survey, reason=RecoveryCase.Reason.INDIFFERENCE, now=now)
    return survey


@transaction.atomic
def indifference_flag(*, survey: Survey, by: User, now: datetime | None = None) -> RecoveryCase:
    """A manager reads indifference in a comment the customer did not flag: count it and recover."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.answered_at is None:
        raise SurveyError(_("Only an answered survey can be flagged."))
    if survey.indifference_flagged_at is None:
        survey.indifference_flagged_at = now
        survey.indifference_flagged_by = by
        survey.save(update_fields=["indifference_flagged_at", "indifference_flagged_by"])
    return recovery_case_open(survey=survey, reason=RecoveryCase.Reason.INDIFFERENCE, by=by, now=now)


def recovery_case_open(
    *, survey: Survey, reason: str, by: User | None = None, now: datetime | None = None
) -> RecoveryCase:
    """Open the survey's recovery case (one per survey) and tell the managers."""
    now = now or timezone.now()
    with transaction.atomic():
        case, created = RecoveryCase.objects.get_or_create(
            survey=survey, defaults={"reason": reason, "opened_at": now}
        )
        if not created:
            return case
        RecoveryEvent.objects.create(
            case=case,
            actor=by,
            kind=RecoveryEvent.Kind.OPENED,
            note=case.get_reason_display(),
            created_at=now,
        )
        recovery_case_opened.send(sender=RecoveryCase, case=case)
        notify_managers(
            key=_recovery_opened_key(case),
            template="surveys/recovery_opened",
            context={"case": case, "survey": survey, "ticket": survey.ticket},
            url=case.get_absolute_url(),
            now=now,
        )
    return case


@transaction.atomic
def recovery_case_take(*, case: RecoveryCase, by: User, now: datetime | None = None) -> RecoveryCase:
    case = _lock_case(case)
    if case.status == RecoveryCase.Status.CLOSED:
        raise SurveyError(_("This case is closed; reopen it first."))
    case.owner = by
    case.save(update_fields=["owner"])
    _case_event(case, by, RecoveryEvent.Kind.TAKEN, now=now)
    return case


@transaction.atomic
def recovery_contact_record(
    *,
    case: RecoveryCase,
    by: User,
    channel: str,
    notes: str,
    contacted_at: datetime | None = None,
    now: datetime | None = None,
) -> RecoveryCase:
    """Record that the manager reached the customer, how, and what was said."""
    now = now or timezone.now()
    case = _lock_case(case)
    if case.status == RecoveryCase.Status.CLOSED:
        raise SurveyError(_("This case is closed; reopen it first."))
    if contacted_at is not None and contacted_at > now:
        raise SurveyError(_("The contact cannot be in the future."))
    case.status = RecoveryCase.Status.CONTACTED
    case.contacted_at = contacted_at or now
    case.contact_channel = channel
    case.contact_notes = notes
    case.owner = case.owner or by
    case.save(update_fields=["status", "contacted_at", "contact_channel", "contact_notes", "owner"])
    _case_event(case, by, RecoveryEvent.Kind.CONTACTED, note=notes, now=now)
    return case


@transaction.atomic
def recovery_case_close(
    *, case: RecoveryCase, by: User, outcome: str, notes: str, now: datetime | None = None
) -> RecoveryCase:
    """Close the case with its outcome. The customer must have been contacted first."""
    now = now or timezone.now()
    case = _lock_case(case)
    if case.status == RecoveryCase.Status.CLOSED:
        raise SurveyError(_("This case is already closed."))
    if case.status != RecoveryCase.Status.CONTACTED:
        raise SurveyError(_("Record the contact with the customer before closing the case."))
    case.status = RecoveryCase.Status.CLOSED
    case.outcome = outcome
    case.outcome_notes = notes
    case.closed_at = now
    case.save(update_fields=["status", "outcome", "outcome_notes", "closed_at"])
    notifications_mark_done(occasions=[_recovery_opened_key(case)], now=now)
    _case_event(
        case, by, RecoveryEvent.Kind.CLOSED, note=f"{case.get_outcome_display()}. {notes}".strip(), now=now
    )
    return case


@transaction.atomic
def recovery_case_reopen(
    *, case: RecoveryCase, by: User, reason: str, now: datetime | None = None
) -> RecoveryCase:
    case = _lock_case(case)
    if case.status != RecoveryCase.Status.CLOSED:
        raise SurveyError(_("Only a closed case can be reopened."))
    case.status = RecoveryCase.Status.CONTACTED
    case.outcome = ""
    case.closed_at = None
    case.save(update_fields=["status", "outcome", "closed_at"])
    _case_event(case, by, RecoveryEvent.Kind.REOPENED, note=reason, now=now)
    return case


def manager_digest_send(*, day: date | None = None) -> int:
    """Yesterday for the managers (grades, breaches, recovery, processes flagged): one e-mail and
    notice each per day, however often it runs. Returns how many managers were told."""
    day = day or timezone.localdate() - timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    answered = Survey.objects.filter(answered_at__gte=start, answered_at__lt=end)
    context = {
        "day": day,
        "card": report_card(answered),
        "poor": list(
            answered.filter(grade__in=POOR_GRADES).select_related("ticket", "customer", "agent")[:20]
        ),
        "breaches": list(
            TicketEvent.objects.filter(
                kind=TicketEvent.Kind.SLA_BREACHED, created_at__gte=start, created_at__lt=end
            )
            .select_related("ticket")
            .order_by("created_at")[:20]
        ),
        "recovery_opened": RecoveryCase.objects.filter(opened_at__gte=start, opened_at__lt=end).count(),
        "recovery_unclosed": RecoveryCase.objects.exclude(status=RecoveryCase.Status.CLOSED).count(),
        "improvements": list(
            ProcessImprovement.objects.filter(created_at__gte=start, created_at__lt=end).select_related(
                "process"
            )
        ),
    }
    with transaction.atomic():
        return notify_managers(
            key=f"manager-digest:{day.isoformat()}",
            template="surveys/manager_digest",
            context=context,
            url=reverse("core:home"),
        )


def survey_link(survey: Survey) -> str:
    """The path a customer follows from an e-mail, without logging in."""
    return reverse("surveys:answer_by_token", kwargs={"token": survey_token_make(survey)})


def invite_countdown_max_seconds() -> int:
    """A longer countdown could outlive the broker's visibility timeout and be delivered again;
    such invitations are left to the periodic sweep, which reads due times from the database."""
    return settings.REDIS_VISIBILITY_TIMEOUT // 2


def _invite_after_commit(survey: Survey) -> None:
    countdown = (survey.invite_due_at - timezone.now()).total_seconds()
    if countdown <= invite_countdown_max_seconds():
        publisher.publish_after_commit(INVITE_TASK, survey.pk, countdown=countdown if countdown > 0 else None)


def _lock(survey_id: int, *, skip_locked: bool) -> Survey | None:
    # No joins: the ticket's status must be read after the lock is ours, not before.
    return Survey.objects.select_for_update(skip_locked=skip_locked).filter(pk=survey_id).first()


def _still_resolved(survey: Survey) -> bool:
    return survey.ticket.status in Ticket.RESOLVED_STATUSES


def _invitation_key(survey: Survey) -> str:
    return f"survey-invitation:{survey.pk}"


def _reminder_key(survey: Survey) -> str:
    return f"survey-reminder:{survey.pk}"


def _recovery_opened_key(case: RecoveryCase) -> str:
    return f"recovery-opened:{case.pk}"


def _email_customer(survey: Survey, *, key: str, template: str, now: datetime) -> None:
    notify(
        recipient=survey.customer,
        key=key,
        template=template,
        context={
            "survey": survey,
            "ticket": survey.ticket,
            "link": survey_link(survey),
            "grades": Grade.choices,
        },
        url=survey.get_absolute_url(),
        now=now,
    )


def _lock_case(case: RecoveryCase) -> RecoveryCase:
    return RecoveryCase.objects.select_for_update().get(pk=case.pk)


def _case_event(
    case: RecoveryCase, by: User, kind: str, *, note: str = "", now: datetime | None = None
) -> None:
    RecoveryEvent.objects.create(case=case, actor=by, kind=kind, note=note, created_at=now or timezone.now())
