from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as the server saw it (the proxy's, behind one)."""
    return request.META.get("REMOTE_ADDR") or None
