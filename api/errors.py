"""One shape for every error the API answers:

    {"error": {"status": 400, "reason": "Some fields are not valid.", "fields": {"title": ["..."]}}}

`fields` comes only with a 400 that names fields. DRF's own handler runs first, so its headers
(WWW-Authenticate on a 401, Retry-After on a 429) stay.
"""

from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND = gettext_lazy("Not found, or not yours to see.")
INVALID = gettext_lazy("Some fields are not valid.")


class Conflict(exceptions.APIException):
    """The ticket's state does not allow the change (an illegal move, a ticket already claimed)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the ticket's state.")
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("The request cannot be processed.")
    default_code = "unprocessable"


class Gone(exceptions.APIException):
    """It was there and is no longer (a survey that closed or was replaced)."""

    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy("This is no longer available.")
    default_code = "gone"


class LinkNotFound(exceptions.NotFound):
    """A 404 whose reason is kept: a link that names nothing (made up, or cut short) is told so,
    as its page says, rather than "not yours to see"."""


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "It changed since you read it (If-Match no longer matches its ETag): read it again."
    )
    default_code = "precondition_failed"


def fields_invalid(fields: dict) -> exceptions.ValidationError:
    """The API's 400 naming these fields, each with its messages."""
    return exceptions.ValidationError({"__reason__": str(INVALID), **fields})


def form_invalid(*forms) -> exceptions.ValidationError:
    """Django forms' errors as the API's 400: field errors by field, the rest as the reason."""
    errors: list[ErrorDict] = [form.errors for form in forms]
    fields = {name: list(messages) for each in errors for name, messages in each.items() if name != "__all__"}
    general = [message for each in errors for message in each.get("__all__", [])]
    return exceptions.ValidationError({"__reason__": " ".join(general) or str(INVALID), **fields})


def exception_handler(exc, context) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a 500: Django's handler and its logging take it
    body = {"status": response.status_code, "reason": ""}
    if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        data = dict(response.data)
        reason = data.pop("__reason__", None)
        if "non_field_errors" in data:
            reason = " ".join(str(m) for m in data.pop("non_field_errors"))
        body["reason"] = str(reason[0] if isinstance(reason, list) else reason or INVALID)
        body["fields"] = {name: [str(m) for m in _as_list(messages)] for name, messages in data.items()}
    elif isinstance(exc, exceptions.ValidationError):
        body["reason"] = " ".join(str(m) for m in _as_list(response.data)) or str(INVALID)
    elif response.status_code == status.HTTP_404_NOT_FOUND and not isinstance(exc, LinkNotFound):
        body["reason"] = str(NOT_FOUND)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        body["reason"] = str(detail) or _("Refused.")
    response.data = {"error": body}
    return response


def _as_list(messages) -> list:
    if isinstance(messages, dict):
        return [f"{key}: {' '.join(map(str, _as_list(value)))}" for key, value in messages.items()]
    return list(messages) if isinstance(messages, list | tuple) else [messages]
