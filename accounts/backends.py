from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User
from .permission_cache import permissions_get


def login_username(typed: str) -> str:
    """The username a sign-in means: an e-mail address becomes its account's username.

    An address nobody has is kept as typed, so the password hasher still runs for it and the
    response time does not reveal which addresses exist.
    """
    if "@" in typed:
        match = User.objects.filter(email__iexact=typed).values_list("username", flat=True).first()
        return match or typed
    return typed


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with a username or an e-mail address, whichever the person remembers."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ):
        if username:
            username = login_username(username)
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        """As Django's, kept in the cache between requests (permission_cache.py)."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = permissions_get(
                user_obj, lambda: ModelBackend.get_all_permissions(self, user_obj)
            )
        return user_obj._perm_cache
