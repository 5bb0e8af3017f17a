from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required


def customer_required(view: Callable) -> Callable:
    """Portal pages: anonymous visitors log in first; signed-in staff get a 403, not a login loop."""
    return login_required(permission_required("accounts.use_customer_portal", raise_exception=True)(view))
