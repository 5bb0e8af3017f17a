"""Everything the api app changes: tokens (made, used, revoked; audited), idempotency keys, and
the changes a client makes in one request that the pages make in several (a ticket, a customer)."""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AccountEvent, User
from accounts.services import account_event_record
from customers import services as customer_services
from customers.models import CustomerProfile
from tickets import services as ticket_services
from tickets.models import Team, Ticket

from .models import ApiToken, IdempotencyKey
from .selectors import representation_etag, ticket_etag

TOKEN_PREFIX = "sd_"
# The part of a token kept in clear and shown in lists, so its owner can tell tokens apart.
SHOWN_PREFIX_LENGTH = 11
# A token's last use is written at most this often: not a database write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
IDEMPOTENCY_KEY_HOURS = 24
UNCHANGED = object()


class IdempotencyKeyReusedError(Exception):
    """The key was first sent with a different request."""


class StaleWriteError(Exception):
    """The client's If-Match names a version of the object that is no longer the current one."""


def token_hash(token: str) -> str:
    """The SHA-256 a token is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token: shown once, never stored


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    expires_days: int | None = None,
    by: User | None = None,
    now: datetime | None = None,
) -> NewToken:
    """Make a personal token for `user`; audited. Only its hash is kept."""
    now = now or timezone.now()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        key_hash=token_hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    account_event_record(user=user, kind=AccountEvent.Kind.API_TOKEN_CREATED, actor=by or user)
    return NewToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, now: datetime | None = None) -> ApiToken:
    """Stop a token working from now on; audited. Revoking a revoked token changes nothing."""
    now = now or timezone.now()
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if updated:
        token.revoked_at = now
        account_event_record(user=token.user, kind=AccountEvent.Kind.API_TOKEN_REVOKED, actor=by)
    return token


def api_token_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Note the token's use, at most once per LAST_USED_RESOLUTION (no write per request)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now


def request_hash(data, files=None) -> str:
    """A request's fields, canonically: the same fields in any order hash the same. Its files
    (`files`: by field, as request.FILES) count by name, size and content, so a retry with
    another file is another request."""
    files = files or {}
    items = sorted((str(key), str(value)) for key, value in dict(data).items() if key not in files)
    for field in sorted(files):
        for upload in files.getlist(field):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            items.append((field, upload.name, str(upload.size), digest.hexdigest()))
    return hashlib.sha256(repr(items).encode()).hexdigest()


def _earlier(*, user: User, key: str, fingerprint: str, now: datetime) -> Ticket | None:
    """The ticket an earlier create with this key made within IDEMPOTENCY_KEY_HOURS, if any."""
    row = (
        IdempotencyKey.objects.filter(
            user=user, key=key, created_at__gte=now - timedelta(hours=IDEMPOTENCY_KEY_HOURS)
        )
        .select_related("ticket")
        .first()
    )
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReusedError
    return row.ticket


def idempotent_create(
    *, user: User, key: str, data, create, files=None, now: datetime | None = None
) -> tuple[Ticket, bool]:
    """Run `create()` (which returns a ticket) unless the key already made one: (ticket, created).

    The key's row is written in the create's transaction, so of two requests racing with one
    key, one makes the ticket and the other, refused by the unique key, answers with it. The key
    with a different request (`data`, `files`) raises IdempotencyKeyReusedError."""
    now = now or timezone.now()
    fingerprint = request_hash(data, files)
    earlier = _earlier(user=user, key=key, fingerprint=fingerprint, now=now)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            # A key older than the window may be used again. Only such a key: a racer that
            # deleted the key another had just committed made a second ticket (and, waiting on
            # that delete while holding the day's rollup row, deadlocked a third).
            IdempotencyKey.objects.filter(
                user=user, key=key, created_at__lt=now - timedelta(hours=IDEMPOTENCY_KEY_HOURS)
            ).delete()
            ticket = create()
            IdempotencyKey.objects.create(
                user=user, key=key, request_hash=fingerprint, ticket=ticket, created_at=now
            )
    except IntegrityError:
        earlier = _earlier(user=user, key=key, fingerprint=fingerprint, now=now)
        if earlier is None:
            raise
        return earlier, False
    return ticket, True


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Forget the keys older than IDEMPOTENCY_KEY_HOURS (a key past its window may be used again
    anyway); returns how many. Daily, by beat."""
    now = now or timezone.now()
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=now - timedelta(hours=IDEMPOTENCY_KEY_HOURS)
    ).delete()
    return deleted


@transaction.atomic
def ticket_change(
    *,
    ticket: Ticket,
    by: User,
    if_match: list[str] | None = None,
    team: Team | None = UNCHANGED,
    priority: str = UNCHANGED,
    assignee: User | None = UNCHANGED,
    status: str = UNCHANGED,
) -> Ticket:
    """An agent's change to a ticket through the API, all or nothing, by the desk's services (so
    each step is audited and refused as on the page: TicketStateError undoes the whole change).

    `if_match`: the ETags the client read; with the ticket locked, a change to any other version
    is refused (StaleWriteError), so two clients never overwrite each other unawares."""
    locked = Ticket.objects.select_for_update().only("pk", "updated_at").get(pk=ticket.pk)
    if if_match is not None and "*" not in if_match and ticket_etag(locked) not in if_match:
        raise StaleWriteError
    if team is not UNCHANGED:
        ticket = ticket_services.ticket_team_change(ticket=ticket, by=by, team=team)
    if priority is not UNCHANGED:
        ticket = ticket_services.ticket_priority_change(ticket=ticket, by=by, priority=priority)
    if assignee is not UNCHANGED:
        ticket = ticket_services.ticket_assign(ticket=ticket, by=by, assignee=assignee)
    if status is not UNCHANGED:
        ticket = ticket_services.ticket_status_change(ticket=ticket, by=by, status=status)
    return ticket


@transaction.atomic
def customer_change(
    *,
    customer: User,
    by: User,
    represent: Callable[[], dict],
    if_match: list[str] | None = None,
    profile: dict | None = None,
    category: dict | None = None,
) -> None:
    """Staff's change to a customer through the API, all or nothing, by the customers app's
    services (so it is refused and audited as on the page: CustomerError undoes the whole change).

    `profile`: the profile's fields to change (the others keep their values as they are under
    the lock, not as the client read them); `category`: a category and its reason, set after.
    `if_match`: the ETags the client read; the profile row locked, the customer as a client would
    read them now (`represent()`) must still have one of them, else StaleWriteError: the profile
    has no version of its own, so what was shown is compared."""
    locked = CustomerProfile.objects.select_for_update().get(
        pk=customer_services.customer_profile_ensure(user=customer).pk
    )
    if if_match is not None and "*" not in if_match and representation_etag(represent()) not in if_match:
        raise StaleWriteError
    if profile:
        current = {
            "department": locked.department,
            "location": locked.location,
            "phone": locked.phone,
            "manager": locked.manager,
            "is_senior_executive": locked.is_senior_executive,
            "notes": locked.notes,
        }
        customer_services.customer_profile_update(user=customer, by=by, **(current | profile))
    if category:
        customer_services.customer_category_set(user=customer, by=by, **category)
