"""What staff and the other apps read of customers: profiles, categories and suggestions. Nothing
here is for the customer's own eyes (the category, notes and history are internal).

These read only the customers app's own tables, so the tickets app can read categories from here
without the two importing each other; the customer 360 page, which also shows tickets and grades,
is composed in overview.py."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import ROLE_DEFINING_PERMISSION, Role

from .models import CategoryChange, CustomerCategory, CustomerProfile, RepeatOffenderSuggestion


def customer_get_for_staff(*, user_id: int) -> User:
    """A customer (anyone with the portal permission or who has asked IT before); else 404."""
    app_label, codename = ROLE_DEFINING_PERMISSION[Role.CUSTOMER].split(".")
    is_customer = (
        Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
        | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
        | Q(tickets__isnull=False)
    )
    customer = (
        User.objects.filter(is_customer, pk=user_id)
        .select_related("customer_profile__manager")
        .distinct()
        .first()
    )
    if customer is None:
        raise Http404
    return customer


def customer_profile_get(*, customer: User) -> CustomerProfile:
    """The customer's profile as `customer` was read with it (customer_get_for_staff), or, when
    IT has none yet, a general customer's, unsaved."""
    return getattr(customer, "customer_profile", None) or CustomerProfile(user=customer)


def customer_category_history(*, profile: CustomerProfile) -> QuerySet[CategoryChange]:
    """Every change of the profile's category, newest first, with who made it (nobody: a rule)."""
    if profile.pk is None:
        return CategoryChange.objects.none()
    return profile.category_changes.select_related("changed_by")


def customer_category_get(*, user: User) -> str:
    """The customer's category (general when they have no profile yet). Internal: never show it to them."""
    category = CustomerProfile.objects.filter(user=user).values_list("category", flat=True).first()
    return category or CustomerCategory.GENERAL


def customer_manager_get(*, user: User) -> User | None:
    """The customer's line manager, if IT knows them (the repeat-offender escalation names them)."""
    profile = CustomerProfile.objects.filter(user=user).select_related("manager").first()
    return profile.manager if profile else None


def customer_in_category(category: str, *, field: str = "customer_id") -> Q:
    """A condition on another app's rows whose `field` is a customer: that customer is in the
    category (a customer without a profile is a general customer). A semi-join on the profiles'
    category index: joining users and profiles row by row costs far more."""
    if category == CustomerCategory.GENERAL:
        others = CustomerProfile.objects.exclude(category=CustomerCategory.GENERAL).values("user_id")
        return ~Q(**{f"{field}__in": others})
    return Q(**{f"{field}__in": CustomerProfile.objects.filter(category=category).values("user_id")})


def repeat_offender_suggestions_waiting() -> int:
    """How many repeat-offender suggestions wait for a manager's decision."""
    return RepeatOffenderSuggestion.objects.filter(status=RepeatOffenderSuggestion.Status.PENDING).count()


def repeat_offender_suggestions_pending() -> QuerySet[RepeatOffenderSuggestion]:
    return RepeatOffenderSuggestion.objects.filter(
        status=RepeatOffenderSuggestion.Status.PENDING
    ).select_related("profile__user")
