"""Tickets and their conversation."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts import selectors as account_selectors
from accounts.permissions import Access
from core.params import id_param
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.exceptions import TicketError
from tickets.forms import (
    AssignForm,
    PriorityForm,
    QueueFilterForm,
    ReplyForm,
    TeamForm,
    TicketLogForm,
    TicketSubmitForm,
)

from .. import selectors, services
from ..errors import Conflict, PreconditionFailed, Unprocessable, fields_invalid, form_invalid
from ..forms import InternalForm, StatusForm
from ..serializers.common import Error, either_side
from ..serializers.tickets import (
    MessageDoc,
    MessageForCustomer,
    MessageForStaff,
    MessageInput,
    MessageUpload,
    TicketAttachment,
    TicketChangeInput,
    TicketCreateInput,
    TicketCreateUpload,
    TicketDetailForCustomer,
    TicketDetailForStaff,
    TicketForCustomer,
    TicketForStaff,
)
from .base import CONFLICT, ApiView, error_responses, paginated_schema

TICKET = either_side("Ticket", TicketDetailForCustomer, TicketDetailForStaff)
TICKET_ROWS = either_side("TicketRow", TicketForCustomer, TicketForStaff, many=True)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retrying with the same key within 24 hours answers with the ticket the first "
    "request made (200) instead of making another; the key with a different request (other "
    "fields, or other files: their names, sizes and contents count) is a 422.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read: if the ticket has changed since, the change is refused (412).",
)


def uploaded_files(request):
    """The request's files. `attachments` sent as anything but file parts (in JSON, or as a
    multipart text field) is a 400: a file is never dropped without a word."""
    if request.data.get("attachments") and "attachments" not in request.FILES:
        raise fields_invalid(
            {"attachments": [_("Send files as multipart/form-data, each a part named “attachments”.")]}
        )
    return request.FILES


class TicketView(ApiView):
    """A view answering with a ticket as its caller's side sees it, and its ETag."""

    def get_ticket(self, pk: int):
        """The ticket as the caller's side reads it (404 if not theirs to see)."""
        if self.customer_side():
            return ticket_selectors.ticket_get_for_customer(customer=self.request.user, pk=pk)
        return ticket_selectors.ticket_get_for_agent(pk=pk)

    def ticket_response(self, ticket, code: int = status.HTTP_200_OK, *, reread: bool = True) -> Response:
        """The ticket, read again after a change (`reread`) so the answer shows what it became."""
        if reread:
            ticket = self.get_ticket(ticket.pk)
        serializer = TicketDetailForCustomer if self.customer_side() else TicketDetailForStaff
        data = serializer(ticket, context={"request": self.request}).data
        return self.object_response(data, etag=selectors.ticket_etag(ticket), code=code)


class TicketList(TicketView):
    """Tickets: a customer's own (and those they are copied on); the desk's queue for staff."""

    @extend_schema(
        operation_id="tickets_list",
        summary="List tickets",
        description="A customer gets their requests and those they are copied on, newest first. "
        "Staff get the desk's queue, with its filters as query parameters (status, priority, service, "
        "assignee, team, category, channel, sla, due_within_hours, view, q, sort); a filter that is "
        "not valid is ignored, as on the page.",
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, required=False)
            for name in QueueFilterForm.base_fields
        ],
        responses={
            200: paginated_schema(TICKET_ROWS, "PaginatedTicketList"),
            **error_responses(401, 403, 429),
        },
    )
    def get(self, request):
        if self.customer_side():
            tickets = ticket_selectors.ticket_list_for_customer_side(user=request.user)
            return self.paginate(tickets, TicketForCustomer, ("-created_at", "-pk"))
        filters = QueueFilterForm(request.query_params, agents=account_selectors.agents_list).filters()
        tickets = ticket_selectors.ticket_queue_for_agent(
            agent=request.user, filters=filters, now=timezone.now()
        )
        return self.paginate(tickets, TicketForStaff, ticket_selectors.SORTS[filters.sort])

    @extend_schema(
        operation_id="tickets_create",
        summary="Submit a request",
        description="A customer submits a request of their own. Staff log one for a customer "
        "(`customer`, and `channel`: how it reached IT), as the desk's “Log a request” does. "
        "With files: send the fields as multipart/form-data, each file as a part named "
        "`attachments` (the pages' limits: a 400 naming `attachments` says which was refused).",
        parameters=[IDEMPOTENCY_KEY],
        request={"application/json": TicketCreateInput, "multipart/form-data": TicketCreateUpload},
        responses={
            201: TICKET,
            200: OpenApiResponse(TICKET, description="A replay of an Idempotency-Key."),
            422: OpenApiResponse(Error, description="The Idempotency-Key came with a different request."),
            **error_responses(400, 401, 403, 429),
        },
    )
    def post(self, request):
        customer_side, data, files = self.customer_side(), self.body(), uploaded_files(request)
        catalog = ticket_selectors.service_list_for_catalog()
        if customer_side:
            form = TicketSubmitForm(data, files, services=catalog)
            customer, by = request.user, None
        else:
            form = TicketLogForm(data, files, services=catalog)
            customer = (
                account_selectors.customer_search_base().filter(pk=id_param(data.get("customer"))).first()
            )
            by = request.user
            if customer is None:
                form.is_valid()
                form.add_error(None, _("Say whom the request is for: a customer's id as `customer`."))
        if not form.is_valid():
            raise form_invalid(form)

        def create():
            return ticket_services.ticket_create(customer=customer, by=by, **form.cleaned_data)

        key = request.headers.get("Idempotency-Key", "").strip()[:255]
        if key:
            try:
                ticket, created = services.idempotent_create(
                    user=request.user, key=key, data=data, files=files, create=create
                )
            except services.IdempotencyKeyReusedError:
                raise Unprocessable(
                    _("This Idempotency-Key came with a different request: use a new key for a new request.")
                ) from None
        else:
            ticket, created = create(), True
        return self.ticket_response(ticket, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class TicketDetail(TicketView):
    access_by_method = {"PATCH": Access.AGENT}

    @extend_schema(
        operation_id="ticket_get",
        summary="One ticket",
        description="With an `ETag` header: send it back as `If-Match` when changing the ticket.",
        responses={200: TICKET, **error_responses(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        return self.ticket_response(self.get_ticket(pk), reread=False)

    @extend_schema(
        operation_id="ticket_change",
        summary="Change a ticket (staff)",
        description="Any of priority, team, assignee (an agent's id, or null) and status, as one "
        "change: if any part is refused, nothing changes. Status moves follow the workflow (409 "
        "with the reason when not allowed).",
        parameters=[IF_MATCH],
        request=TicketChangeInput,
        responses={
            200: TICKET,
            412: OpenApiResponse(Error, description="The ticket changed since your If-Match."),
            **CONFLICT,
            **error_responses(400, 401, 403, 404, 429),
        },
    )
    def patch(self, request, pk: int):
        ticket, data = ticket_selectors.ticket_get_for_agent(pk=pk), self.body()
        forms = {
            "priority": lambda: PriorityForm(data),
            "team": lambda: TeamForm(data),
            "assignee": lambda: AssignForm(data, agents=account_selectors.agents_list),
            "status": lambda: StatusForm(data),
        }
        unknown = {name: [_("This cannot be changed here.")] for name in data if name not in forms}
        if unknown:
            raise fields_invalid(unknown)
        changes, errors = {}, {}
        for name in data:
            form = forms[name]()
            if form.is_valid():
                changes[name] = form.cleaned_data[name]
            else:
                errors.update({field: list(messages) for field, messages in form.errors.items()})
        if errors:
            raise fields_invalid(errors)
        try:
            ticket = services.ticket_change(
                ticket=ticket, by=request.user, if_match=self.if_match(), **changes
            )
        except services.StaleWriteError:
            raise PreconditionFailed from None
        except TicketError as exc:
            raise Conflict(str(exc)) from None
        return self.ticket_response(ticket)


class TicketClaim(TicketView):
    access = Access.AGENT

    @extend_schema(
        operation_id="ticket_claim",
        summary="Take an unassigned ticket (staff)",
        request=None,
        responses={200: TICKET, **CONFLICT, **error_responses(401, 403, 404, 429)},
    )
    def post(self, request, pk: int):
        ticket = ticket_selectors.ticket_get_for_agent(pk=pk)
        try:
            ticket = ticket_services.ticket_claim(ticket=ticket, agent=request.user)
        except TicketError as exc:
            raise Conflict(str(exc)) from None
        return self.ticket_response(ticket)


class TicketPart(ApiView):
    """A view of part of a ticket (its conversation, its files), which each side sees its own way."""

    def ticket_and_side(self, pk: int):
        if self.customer_side():
            return ticket_selectors.ticket_get_for_customer(customer=self.request.user, pk=pk), True
        return ticket_selectors.ticket_get_for_agent(pk=pk), False


class TicketMessages(TicketPart):
    """The conversation: public replies; internal notes for staff only."""

    @extend_schema(
        operation_id="ticket_messages_list",
        summary="A ticket's conversation",
        description="Oldest first. Customers see the public replies; staff also the internal notes.",
        responses={
            200: paginated_schema(MessageDoc(many=True), "PaginatedMessageList"),
            **error_responses(401, 403, 404, 429),
        },
    )
    def get(self, request, pk: int):
        ticket, customer_side = self.ticket_and_side(pk)
        if customer_side:
            messages = ticket_selectors.ticket_conversation_for_customer(ticket=ticket)
            return self.paginate(messages, MessageForCustomer, ("created_at", "pk"))
        messages = ticket_selectors.ticket_conversation_for_agent(ticket=ticket)
        return self.paginate(messages, MessageForStaff, ("created_at", "pk"))

    @extend_schema(
        operation_id="ticket_message_create",
        summary="Reply, or add an internal note (staff)",
        description="With files: send the fields as multipart/form-data, each file as a part "
        "named `attachments` (the pages' limits: a 400 naming `attachments` says which was refused).",
        request={"application/json": MessageInput, "multipart/form-data": MessageUpload},
        responses={201: MessageDoc, **CONFLICT, **error_responses(400, 401, 403, 404, 429)},
    )
    def post(self, request, pk: int):
        ticket, customer_side = self.ticket_and_side(pk)
        data = self.body()
        reply, internal = ReplyForm(data, uploaded_files(request)), InternalForm(data)
        if not reply.is_valid():
            raise form_invalid(reply)
        if not internal.is_valid():
            raise form_invalid(internal)
        is_internal = internal.cleaned_data["internal"]
        if is_internal and customer_side:
            raise exceptions.PermissionDenied(_("Customers cannot add internal notes."))
        try:
            with transaction.atomic():
                message = ticket_services.ticket_reply(
                    ticket=ticket,
                    author=request.user,
                    body=reply.cleaned_data["body"],
                    internal=is_internal,
                    attachments=reply.cleaned_data["attachments"],
                )
        except TicketError as exc:
            raise Conflict(str(exc)) from None
        serializer = MessageForCustomer if customer_side else MessageForStaff
        return Response(
            serializer(message, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class TicketAttachments(TicketPart):
    """Every file of a ticket in one list: the request's and each message's."""

    @extend_schema(
        operation_id="ticket_attachments_list",
        summary="A ticket's files",
        description="Oldest first, each with the message it came with (null: the request itself). "
        "Customers see the request's files and the public replies'; staff also the internal notes'.",
        responses={
            200: paginated_schema(TicketAttachment(many=True), "PaginatedTicketAttachmentList"),
            **error_responses(401, 403, 404, 429),
        },
    )
    def get(self, request, pk: int):
        ticket, customer_side = self.ticket_and_side(pk)
        if customer_side:
            attachments = ticket_selectors.ticket_attachments_for_customer(ticket=ticket)
        else:
            attachments = ticket_selectors.ticket_attachments_for_agent(ticket=ticket)
        return self.paginate(attachments, TicketAttachment, ("created_at", "pk"))
