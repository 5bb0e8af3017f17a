"""Who holds which role: lists of people for menus and notifications."""

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet

from .models import User


def managers_list() -> QuerySet[User]:
    """Active IT managers (whoever holds the manager permission through their role)."""
    return User.objects.filter(
        is_active=True,
        groups__permissions__codename="manage_service_desk",
        groups__permissions__content_type__app_label="accounts",
    ).distinct()


def user_names(*, ids: list[int]) -> dict[int, str]:
    """The names people are shown by (first and last name, else username), by id, in one query."""
    users = User.objects.filter(pk__in=ids).values_list("pk", "first_name", "last_name", "username")
    return {pk: f"{first} {last}".strip() or username for pk, first, last, username in users}


def agents_list() -> QuerySet[User]:
    """Everyone who works tickets (agents and managers), for assignment menus."""
    # Members of the few groups holding the permission, fetched first: as one joined query the
    # planner misjudges how few they are and scans every user (50,000 customers in the benchmark).
    agent_groups = Group.objects.filter(
        permissions__codename="work_ticket_queue", permissions__content_type__app_label="accounts"
    )
    members = list(
        User.groups.through.objects.filter(group__in=agent_groups).values_list("user_id", flat=True)
    )
    return (
        User.objects.filter(is_active=True, pk__in=members)
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username")
    )


def agents_among(*, ids: QuerySet) -> QuerySet[User]:
    """The active agents (and managers) whose ids `ids` (a values() queryset) yields, by name, in one
    query: for a short list such as who is trained on a service (agents_list's two-step fetch is
    for the whole staff)."""
    return (
        User.objects.filter(
            pk__in=ids,
            is_active=True,
            groups__permissions__codename="work_ticket_queue",
            groups__permissions__content_type__app_label="accounts",
        )
        .distinct()
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username")
    )


def user_for_email(*, address: str) -> User | None:
    """The active account with this e-mail address, compared without case, or None."""
    if not address:
        return None
    return User.objects.filter(email__iexact=address, is_active=True).first()


def customer_search(*, text: str, limit: int = 20) -> list[User]:
    """The customers matching `text`, by name, for the agent logging a request for a caller."""
    return list(customers_matching(text=text).order_by("last_name", "first_name", "pk")[:limit])


def customers_matching(*, text: str) -> QuerySet[User]:
    """Active customers whose name, username or e-mail address contains each word of `text` (the
    first four); nobody for fewer than two characters."""
    text = " ".join(text.split())
    if len(text) < 2:
        return User.objects.none()
    match = Q()
    for word in text.split()[:4]:
        match &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    return customer_search_base().filter(match)


def customer_search_base() -> QuerySet[User]:
    """Every active customer (whoever holds the customer permission through their role)."""
    return User.objects.filter(
        is_active=True,
        groups__permissions__codename="use_customer_portal",
        groups__permissions__content_type__app_label="accounts",
    ).distinct()
