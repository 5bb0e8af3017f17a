"""Everything the api app reads: tokens, for their owner, for managers and for authentication."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User

from .models import ApiToken


def api_token_for_key_hash(*, key_hash: str) -> ApiToken | None:
    """The token with this hash, with its user, or None (revoked and expired ones too: the
    caller says why they no longer work)."""
    return ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()


def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first."""
    return ApiToken.objects.filter(user=user).defer("key_hash")


def api_token_list_all() -> QuerySet[ApiToken]:
    """Everyone's tokens, newest first, for the managers' page."""
    return ApiToken.objects.select_related("user").defer("key_hash")


def api_token_get(*, pk: int, user: User | None = None) -> ApiToken:
    """One token: `user`'s own (anyone else's is a 404), or any (user None: a manager)."""
    tokens = ApiToken.objects.select_related("user")
    if user is not None:
        tokens = tokens.filter(user=user)
    try:
        return tokens.get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None


def _etag(version: str) -> str:
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


def ticket_etag(ticket) -> str:
    """The ticket's version as an ETag: any change moves its `updated_at`."""
    return _etag(f"{ticket.pk}:{ticket.updated_at.isoformat()}")


def representation_etag(data) -> str:
    """The ETag of an object with no version of its own: a hash of what the caller was shown, so
    any change to what they see changes it (compare it again, under a lock, before a write)."""
    return _etag(json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder))
