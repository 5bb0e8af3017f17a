"""A ticket's files, downloaded: the page's selector and the page's response."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from tickets import selectors as ticket_selectors
from tickets.attachments import attachment_response

from .base import ApiView, error_responses


class AttachmentDownload(ApiView):
    def perform_content_negotiation(self, request, force=False):
        # A file answers whatever the client says it accepts (an error still comes as JSON).
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="attachment_download",
        summary="Download a file",
        description="A file of a ticket you may see (a customer: never one of an internal note), "
        "as a download (`Content-Disposition: attachment`, with the name it was uploaded with), "
        "served as the type its name's extension says. With an `ETag`: send it back as "
        "`If-None-Match` and an unchanged file is a 304 with no body.",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag you have: a 304 if the file is still that.",
            )
        ],
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            304: OpenApiResponse(description="You have it already (If-None-Match)."),
            **error_responses(401, 404, 429),
        },
    )
    def get(self, request, pk: int):
        attachment = ticket_selectors.attachment_get_for_user(user=request.user, pk=pk)
        return attachment_response(request, attachment)
