from django.http import HttpRequest

from accounts.roles import works_tickets

from . import selectors


def standards_to_read(request: HttpRequest) -> dict:
    """How many service standards the signed-in agent still has to read, for the desk's banner:
    a callable, so the one query runs only where the banner is drawn (desk pages, for staff)."""

    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not request.path.startswith("/desk/") or not works_tickets(user):
            return 0
        return selectors.standards_to_read_count(agent=user)

    return {"standards_to_read": count}
