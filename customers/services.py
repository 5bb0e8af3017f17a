"""Everything the customers app changes: profiles, categories (with their history), VIP rules
and repeat-offender suggestions. Every change of category is a CategoryChange row."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.services import email_queue, notify_managers
from tickets import selectors as ticket_selectors

from .exceptions import CustomerError
from .models import (
    ArrangementReminder,
    CategoryChange,
    CustomerCategory,
    CustomerProfile,
    ProactiveArrangement,
    RepeatOffenderSuggestion,
    VipDepartment,
)

RULE_PREFIX = "Rule: "


def customer_profile_ensure(*, user: User) -> CustomerProfile:
    """The customer's profile, created (as a general customer) the first time it is needed."""
    profile, _created = CustomerProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def customer_profile_update(
    *,
    user: User,
    by: User,
    department: str,
    location: str,
    phone: str,
    manager: User | None,
    is_senior_executive: bool,
    notes: str,
    now: datetime | None = None,
) -> CustomerProfile:
    """Update what IT knows of a customer, then apply the VIP rules (a rule's change is audited).

    Agents keep contact details and notes up to date; what sets a category (senior executive, a
    department a VIP rule names) only managers change.
    """
    profile = CustomerProfile.objects.select_for_update().get(pk=customer_profile_ensure(user=user).pk)
    if not by.has_perm("customers.set_customer_category"):
        refusal = category_field_refusal(
            profile=profile, department=department, is_senior_executive=is_senior_executive
        )
        if refusal:
            raise CustomerError(refusal)
    profile.department, profile.location, profile.phone = department, location, phone
    profile.manager, profile.is_senior_executive, profile.notes = manager, is_senior_executive, notes
    profile.save(update_fields=["department", "location", "phone", "manager", "is_senior_executive", "notes"])
    customer_vip_rules_apply(profile=profile, by=by, now=now)
    return profile


def category_field_refusal(*, profile: CustomerProfile, department: str, is_senior_executive: bool) -> str:
    """Why someone who may not set categories may not make this change ("" when they may)."""
    if is_senior_executive != profile.is_senior_executive:
        return _("Only IT managers can change whether someone is a senior executive.")
    if department.strip().casefold() != profile.department.strip().casefold() and (
        _is_vip_department(profile.department) or _is_vip_department(department)
    ):
        return _("Only IT managers can move someone into or out of a VIP department.")
    return ""


def customer_vip_rules_apply(
    *, profile: CustomerProfile, by: User | None, now: datetime | None = None
) -> None:
    """A general customer whom a rule names (senior executive, VIP department) becomes a VIP; a
    VIP the rules made stops being one when no rule names them. A manager's choice is left alone.

    The change records `by`, whose edit set the rule off, and its reason names the rule."""
    reason = _vip_rule_reason(profile)
    if reason and profile.category == CustomerCategory.GENERAL:
        _category_change(profile, CustomerCategory.VIP, by, RULE_PREFIX + reason, now=now)
    elif not reason and profile.category == CustomerCategory.VIP:
        last = profile.category_changes.first()
        if last and last.reason.startswith(RULE_PREFIX):
            _category_change(
                profile,
                CustomerCategory.GENERAL,
                by,
                RULE_PREFIX + _("no VIP rule applies any more"),
                now=now,
            )


@transaction.atomic
def customer_category_set(
    *, user: User, by: User, category: str, reason: str, now: datetime | None = None
) -> CustomerProfile:
    """Set a customer's category by hand, saying why. Managers only; audited."""
    if not by.has_perm("customers.set_customer_category"):
        raise CustomerError(_("Only IT managers can change a customer's category."))
    profile = CustomerProfile.objects.select_for_update().get(pk=customer_profile_ensure(user=user).pk)
    if category == CustomerCategory.REPEAT_OFFENDER or profile.category == CustomerCategory.REPEAT_OFFENDER:
        # Setting or clearing repeat offender settles any open suggestion too.
        RepeatOffenderSuggestion.objects.filter(
            profile=profile, status=RepeatOffenderSuggestion.Status.PENDING
        ).update(
            status=RepeatOffenderSuggestion.Status.CONFIRMED
            if category == CustomerCategory.REPEAT_OFFENDER
            else RepeatOffenderSuggestion.Status.DISMISSED,
            decided_by=by,
            decision_reason=reason,
            decided_at=now or timezone.now(),
        )
    _category_change(profile, category, by, reason, now=now)
    return profile


def repeat_offender_suggestion_check(
    *, customer: User, now: datetime | None = None
) -> RepeatOffenderSuggestion | None:
    """Suggest "repeat offender" to the managers once a customer's bypasses reach the threshold.

    Only bypasses since the last dismissal count, so a dismissed suggestion comes back only after
    new ones. Never sets the category itself. E-mails the managers (once per suggestion).
    """
    now = now or timezone.now()
    profile = customer_profile_ensure(user=customer)
    if profile.category == CustomerCategory.REPEAT_OFFENDER:
        return None
    pending = profile.repeat_offender_suggestions.filter(
        status=RepeatOffenderSuggestion.Status.PENDING
    ).first()
    window = settings.REPEAT_OFFENDER_WINDOW_DAYS
    last_dismissal = (
        profile.repeat_offender_suggestions.filter(status=RepeatOffenderSuggestion.Status.DISMISSED)
        .values_list("decided_at", flat=True)
        .first()
    )
    since = max(filter(None, [now - timedelta(days=window), last_dismissal]))
    count = ticket_selectors.ticket_bypass_count(customer=customer, since=since)
    if pending:
        if count != pending.bypass_count:
            pending.bypass_count = count
            pending.save(update_fields=["bypass_count"])
        return pending
    if count < settings.REPEAT_OFFENDER_BYPASS_THRESHOLD:
        return None
    suggestion = RepeatOffenderSuggestion.objects.create(
        profile=profile, bypass_count=count, window_days=window, created_at=now
    )
    notify_managers(
        key=f"repeat-offender-suggested:{suggestion.pk}",
        template="customers/repeat_offender_suggested",
        context={"suggestion": suggestion, "customer": customer},
        url=reverse("customers:detail", kwargs={"user_id": customer.pk}),
        now=now,
    )
    return suggestion


@transaction.atomic
def repeat_offender_suggestion_decide(
    *, suggestion: RepeatOffenderSuggestion, by: User, confirm: bool, reason: str, now: datetime | None = None
) -> RepeatOffenderSuggestion:
    """A manager confirms (the customer becomes a repeat offender) or dismisses, saying why; audited."""
    if not by.has_perm("customers.set_customer_category"):
        raise CustomerError(_("Only IT managers can decide on a repeat-offender suggestion."))
    now = now or timezone.now()
    suggestion = (
        RepeatOffenderSuggestion.objects.select_for_update().select_related("profile").get(pk=suggestion.pk)
    )
    if suggestion.status != RepeatOffenderSuggestion.Status.PENDING:
        raise CustomerError(_("This suggestion has already been decided."))
    suggestion.status = (
        RepeatOffenderSuggestion.Status.CONFIRMED if confirm else RepeatOffenderSuggestion.Status.DISMISSED
    )
    suggestion.decided_by, suggestion.decision_reason, suggestion.decided_at = by, reason, now
    suggestion.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
    if confirm:
        _category_change(suggestion.profile, CustomerCategory.REPEAT_OFFENDER, by, reason, now=now)
    return suggestion


def _vip_rule_reason(profile: CustomerProfile) -> str:
    if profile.is_senior_executive:
        return _("senior executive")
    if _is_vip_department(profile.department):
        return _("member of %(department)s") % {"department": profile.department}
    return ""


def _is_vip_department(department: str) -> bool:
    return bool(department) and VipDepartment.objects.filter(name__iexact=department.strip()).exists()


def _category_change(
    profile: CustomerProfile, category: str, by: User | None, reason: str, *, now: datetime | None
) -> None:
    if profile.category == category:
        return
    CategoryChange.objects.create(
        profile=profile,
        old_category=profile.category,
        new_category=category,
        changed_by=by,
        reason=reason,
        created_at=now or timezone.now(),
    )
    profile.category = category
    profile.save(update_fields=["category"])


@transaction.atomic
def arrangement_create(
    *,
    customer: User,
    by: User,
    need: str,
    service,
    owning_department: str,
    contact_name: str,
    contact_email: str,
    cadence_days: int,
    first_due_on: date,
    now: datetime | None = None,
) -> ProactiveArrangement:
    """Arrange with the owning department that a recurring need is met before the customer asks."""
    now = now or timezone.now()
    return ProactiveArrangement.objects.create(
        customer=customer,
        need=need,
        service=service,
        owning_department=owning_department,
        contact_name=contact_name,
        contact_email=contact_email,
        cadence_days=cadence_days,
        started_on=timezone.localdate(now),
        next_due_on=first_due_on,
        created_by=by,
        created_at=now,
    )


def arrangement_reminders_send(*, today: date | None = None, batch_size: int = 500) -> int:
    """Remind the owner of every arrangement due by `today`, once per due date, and move it on.

    Selects through the index on next_due_on, so its cost follows what is due, not how many
    arrangements exist. Safe to run twice or concurrently: a due date has one reminder row.
    """
    today = today or timezone.localdate()
    sent = 0
    due_ids = list(
        ProactiveArrangement.objects.filter(is_active=True, next_due_on__lte=today).values_list(
            "pk", flat=True
        )[:batch_size]
    )
    for arrangement_id in due_ids:
        with transaction.atomic():
            arrangement = (
                ProactiveArrangement.objects.select_for_update(skip_locked=True)
                .select_related("customer")
                .filter(pk=arrangement_id, is_active=True, next_due_on__lte=today)
                .first()
            )
            if arrangement is None:
                continue  # another run has it, or it moved on already
            due_on = arrangement.next_due_on
            _reminder, created = ArrangementReminder.objects.get_or_create(
                arrangement=arrangement, due_on=due_on, defaults={"reminded_at": timezone.now()}
            )
            if created:
                email_queue(
                    key=f"arrangement-due:{arrangement.pk}:{due_on.isoformat()}",
                    to=arrangement.contact_email,
                    template="customers/arrangement_due",
                    context={"arrangement": arrangement, "due_on": due_on},
                )
                sent += 1
            while arrangement.next_due_on <= today:
                arrangement.next_due_on += timedelta(days=arrangement.cadence_days)
            arrangement.save(update_fields=["next_due_on"])
    return sent
