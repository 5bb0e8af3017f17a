from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with a username or an e-mail address, whichever the person remembers."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ):
        if username and "@" in username:
            match = User.objects.filter(email__iexact=username).values_list("username", flat=True).first()
            # Fall through with the typed text when nobody has that address, so the password
            # hasher still runs and the response time does not reveal which addresses exist.
            username = match or username
        return super().authenticate(request, username=username, password=password, **kwargs)
