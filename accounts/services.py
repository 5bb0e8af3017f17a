"""Everything the accounts app changes: role groups, users, their audit trail, password-reset e-mail."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from notifications.services import email_queue

from .models import AccountEvent, User
from .roles import ROLE_PERMISSIONS, Role

security_log = logging.getLogger("servicedesk.security")


def role_groups_sync(*, using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions roles.py names for it."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.group_name)
        wanted = Q()
        for name in perm_names:
            app_label, codename = name.split(".", 1)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.using(using).filter(wanted))


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    password: str | None,
    is_staff: bool = False,
    by: User | None = None,
) -> User:
    """Create a user in the given role's group; audited. `password` None: no usable password
    (they set one through "Forgotten your password?")."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=role.group_name))
    account_event_record(user=user, kind=AccountEvent.Kind.CREATED, actor=by)
    return user


def account_event_record(
    *, user: User, kind: AccountEvent.Kind, actor: User | None = None, ip_address: str | None = None
) -> AccountEvent:
    """Add an entry to the account's audit trail."""
    return AccountEvent.objects.create(user=user, kind=kind, actor=actor, ip_address=ip_address)


def password_reset_email_queue(*, email: str, ip_address: str | None = None) -> int:
    """Queue a reset link to every active account with this address (audited); returns how many.

    Callers never tell the requester whether an account exists, so it cannot be probed. An
    account sent PASSWORD_RESET_EMAILS_PER_HOUR links in the last hour gets no more for now.
    """
    users = [
        user
        for user in User.objects.filter(email__iexact=email, is_active=True)
        if user.has_usable_password() and not _password_reset_limit_reached(user)
    ]
    with transaction.atomic():
        for user in users:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
            email_queue(
                # The token changes with the timestamp and the password, so a second request
                # gets its own e-mail while a retried one (same token) does not.
                key=f"password-reset:{user.pk}:{token}",
                to=user.email,
                template="accounts/password_reset",
                context={"user": user, "reset_path": path},
            )
            account_event_record(
                user=user, kind=AccountEvent.Kind.PASSWORD_RESET_REQUESTED, ip_address=ip_address
            )
    return len(users)


def _password_reset_limit_reached(user: User) -> bool:
    recent = AccountEvent.objects.filter(
        user=user,
        kind=AccountEvent.Kind.PASSWORD_RESET_REQUESTED,
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).count()
    if recent >= settings.PASSWORD_RESET_EMAILS_PER_HOUR:
        security_log.warning("Password reset e-mail to account %s held back: hourly limit reached", user.pk)
        return True
    return False
