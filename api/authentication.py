"""`Authorization: Bearer <token>` (or `Token <token>`): a personal API token (api.models.ApiToken)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from . import selectors, services

SCHEMES = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A personal token. A revoked or expired token, or one whose user is disabled, is a 401 that
    says which; no header (or another scheme) leaves the request to the session."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in SCHEMES:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the scheme: “Bearer <token>”."))
        try:
            secret = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = selectors.api_token_for_key_hash(key_hash=services.token_hash(secret))
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token's account is disabled."))
        services.api_token_used(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes a request without credentials a 401 (with this challenge) rather than a 403.
        return 'Bearer realm="api"'
