from django.conf import settings
from django.http import HttpRequest

from devkit.demo.company import DEMO_PASSWORD, DEMO_USERS


def demo_logins(request: HttpRequest) -> dict:
    """The demo accounts for the login page's table, when DEMO_LOGINS_VISIBLE is on."""
    match = request.resolver_match
    if not settings.DEMO_LOGINS_VISIBLE or match is None or match.view_name != "accounts:login":
        return {}
    return {"demo_users": DEMO_USERS, "demo_password": DEMO_PASSWORD}
