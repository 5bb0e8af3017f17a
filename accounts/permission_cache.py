"""A user's permissions, kept in the cache between requests.

Every page asks `has_perm` (the access decorators, the role, the menu), and Django's ModelBackend
answers from two queries per request (the user's own permissions and their groups'), which cost
more CPU than any other part of a page's work but the page's own queries. Here the set is kept in
the cache (Redis in production) under the user's id, with the *generation* of the permission
tables it was read under; both come back in one round trip.

Whatever can change a permission set invalidates it: a change to a user's groups or own
permissions forgets that user's entry; a change that reaches many users at once (a group's
permissions, a group or permission deleted or renamed, a membership cleared from the group's side)
starts a new generation, which every entry then fails to match. Each is done at once and again
when the transaction commits, so an entry read from the old rows by a concurrent request in
between is forgotten too. `is_active` is checked on every request as before (the user row is
read fresh), and whether the user is a superuser is part of the entry. Should the cache miss or
fail, the permissions are read from the database as Django always did; an entry lives at most
PERMISSIONS_CACHE_SECONDS, which bounds how long a change made while the cache could not be
reached is missed.
"""

import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "accounts:permissions:generation"


def _key(user_pk: int) -> str:
    return f"accounts:permissions:{user_pk}"


def permissions_get(user, compute: Callable[[], set[str]]) -> set[str]:
    """The user's permissions ("app_label.codename"), from the cache or from `compute()`."""
    key = _key(user.pk)
    found = cache.get_many([GENERATION_KEY, key])
    generation, entry = found.get(GENERATION_KEY), found.get(key)
    if generation is not None and entry is not None and entry[:2] == (generation, user.is_superuser):
        return set(entry[2])
    permissions = compute()
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    if generation is not None:
        entry = (generation, user.is_superuser, sorted(permissions))
        cache.set(key, entry, settings.PERMISSIONS_CACHE_SECONDS)
    return permissions


def permissions_forget(user_pks: list[int], *, using: str = "default") -> None:
    """These users' permissions changed: read them afresh, now and after the commit."""

    def forget() -> None:
        cache.delete_many([_key(pk) for pk in user_pks])

    forget()
    transaction.on_commit(forget, using=using)


def permissions_forget_all(*, using: str = "default") -> None:
    """Permissions of any number of users changed: a new generation, now and after the commit."""

    def new_generation() -> None:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)

    new_generation()
    transaction.on_commit(new_generation, using=using)


def _memberships_changed(sender, instance, action: str, reverse: bool, pk_set, using: str, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:  # from the user's side: user.groups.add(...), user.user_permissions.set(...)
        permissions_forget([instance.pk], using=using)
    elif pk_set:  # from the group's or permission's side, naming the users
        permissions_forget(list(pk_set), using=using)
    else:  # group.user_set.clear(): whoever they were
        permissions_forget_all(using=using)


def _many_changed(sender, using: str = "default", action: str = "post_save", **kwargs) -> None:
    """A group's permissions changed, or a group, permission or content type was renamed or deleted."""
    if action.startswith("post_"):
        permissions_forget_all(using=using)


def receivers_connect() -> None:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(_memberships_changed, sender=through, dispatch_uid=f"permissions:{through}")
    m2m_changed.connect(_many_changed, sender=Group.permissions.through, dispatch_uid="permissions:groups")
    for model in (Group, Permission, ContentType):
        post_delete.connect(_many_changed, sender=model, dispatch_uid=f"permissions:delete:{model}")
    for model in (Permission, ContentType):  # a rename changes the names the set holds
        post_save.connect(_many_changed, sender=model, dispatch_uid=f"permissions:save:{model}")
