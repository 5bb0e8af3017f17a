"""What every API view shares: who may call it, its error answers as the schema documents them,
the request's body, and cursor pages.

Each view names who may call it (`access`, or `access_by_method`), checked by
permissions.HasAccess before anything else. What a user may see is then the selectors' answer,
exactly as on the pages: an object they may not see is a 404.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Access
from accounts.roles import ROLE_DEFINING_PERMISSION, Role, works_tickets

from .. import selectors
from ..pagination import Cursor
from ..serializers.common import Error

ERRORS = {
    400: OpenApiResponse(Error, description="Invalid fields (`fields` names them)."),
    401: OpenApiResponse(
        Error, description="No credentials, or a token that is not valid, revoked or expired."
    ),
    403: OpenApiResponse(Error, description="Your role may not do this (`reason` says why)."),
    404: OpenApiResponse(Error, description="Not there, or not yours to see."),
    429: OpenApiResponse(Error, description="Too many requests: wait `Retry-After` seconds."),
}
CONFLICT = {409: OpenApiResponse(Error, description="The object's state refuses the change (`reason`).")}


def error_responses(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


class ApiView(APIView):
    access: Access = Access.SIGNED_IN
    public_reason = ""  # with Access.PUBLIC: what protects the view instead, as @public says
    access_by_method: dict[str, Access] = {}

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        view.access = cls.access  # what tests/accounts/test_view_access.py reads for every URL
        if cls.access is Access.PUBLIC:
            view.public_reason = cls.public_reason
        return view

    def body(self):
        """The request's fields: a JSON object (or a form); anything else is a 400."""
        data = self.request.data
        if not hasattr(data, "get"):
            raise exceptions.ParseError(_("Send the fields as a JSON object."))
        return data

    def customer_side(self) -> bool:
        """The caller is on the customer's side (a customer), not IT's; anyone with neither
        role is refused here."""
        user = self.request.user
        if works_tickets(user):
            return False
        if user.has_perm(ROLE_DEFINING_PERMISSION[Role.CUSTOMER]):
            return True
        raise exceptions.PermissionDenied(_("Your account has no role yet: ask IT to give it one."))

    def if_match(self) -> list[str] | None:
        """The ETags of the request's If-Match header (weak ones compared as strong), or None."""
        header = self.request.headers.get("If-Match")
        if not header:
            return None
        return [tag.strip().removeprefix("W/") for tag in header.split(",")]

    def object_response(self, data, *, etag: str | None = None, code: int = status.HTTP_200_OK) -> Response:
        """One object, with its ETag: `etag` where the object has a version, else the hash of `data`."""
        return Response(data, status=code, headers={"ETag": etag or selectors.representation_etag(data)})

    def paginate(self, queryset, serializer_class, ordering) -> Response:
        self.cursor_ordering = ordering
        paginator = Cursor()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, context={"request": self.request}).data
        return paginator.get_paginated_response(data)


def paginated_schema(results: serializers.BaseSerializer, name: str):
    """A cursor page of `results` (a many=True serializer), as the schema documents it."""
    return inline_serializer(
        name=name,
        fields={
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null at the end."),
            "previous": serializers.URLField(allow_null=True),
            "results": results,
        },
    )


class NotFound(ApiView):
    """Any other address under /api/v1/: a 404 in the API's error shape, not the site's HTML page."""

    access = Access.PUBLIC
    public_reason = "answers only that there is nothing at this address"
    authentication_classes = []
    throttle_classes = []
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound

    post = put = patch = delete = get
