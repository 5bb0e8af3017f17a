"""What the API answers with (and, for the schema, what it accepts). Input is validated by the
pages' own forms (tickets/forms.py, api/forms.py), so the rules are the pages' rules.

The customer's side (TicketForCustomer, MessageForCustomer) has no category, no SLA targets and
no internal notes: tests/api assert that none of them ever reaches a customer.
"""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import CustomerCategory
from tickets.models import Attachment, Ticket, TicketMessage

from .catalog import ServiceRef
from .common import Person


class TicketForCustomer(serializers.ModelSerializer):
    """A request as its customer (or a colleague copied on it) sees it."""

    reference = serializers.CharField(read_only=True)
    service = ServiceRef(read_only=True)
    assignee = serializers.SerializerMethodField()
    copied = serializers.SerializerMethodField(help_text="You are copied on it; someone else asked.")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "priority",
            "service",
            "assignee",
            "copied",
            "created_at",
            "updated_at",
            "resolved_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee(self, ticket: Ticket) -> str | None:
        return ticket.assignee.display_name if ticket.assignee_id else None

    def get_copied(self, ticket: Ticket) -> bool:
        return ticket.customer_id != self.context["request"].user.pk


class TicketDetailForCustomer(TicketForCustomer):
    class Meta(TicketForCustomer.Meta):
        fields = [*TicketForCustomer.Meta.fields, "description", "urgency", "impact", "channel"]
        read_only_fields = fields


class TeamRef(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class TicketForStaff(serializers.ModelSerializer):
    """A ticket as the desk sees it: with the customer, their category and the SLA clock."""

    reference = serializers.CharField(read_only=True)
    service = ServiceRef(read_only=True)
    team = TeamRef(allow_null=True, read_only=True)
    assignee = Person(allow_null=True, read_only=True)
    customer = Person(read_only=True)
    customer_category = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "priority",
            "channel",
            "service",
            "team",
            "assignee",
            "customer",
            "customer_category",
            "created_at",
            "updated_at",
            "first_response_due_at",
            "first_responded_at",
            "resolution_due_at",
            "sla_paused_at",
            "resolved_at",
            "escalated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=CustomerCategory.choices))
    def get_customer_category(self, ticket: Ticket) -> str:
        profile = getattr(ticket.customer, "customer_profile", None)
        return profile.category if profile is not None else CustomerCategory.GENERAL


class TicketDetailForStaff(TicketForStaff):
    # Empty until the ticket is resolved (or its root cause recorded): the schema says "" too.
    resolution = serializers.ChoiceField(choices=Ticket.Resolution.choices, allow_blank=True, read_only=True)
    root_cause = serializers.ChoiceField(choices=Ticket.RootCause.choices, allow_blank=True, read_only=True)

    class Meta(TicketForStaff.Meta):
        fields = [
            *TicketForStaff.Meta.fields,
            "description",
            "urgency",
            "impact",
            "resolution",
            "root_cause",
            "closed_at",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        source="original_name", help_text="As uploaded, without folders or control characters."
    )
    content_type = serializers.CharField(help_text="What it is served as, from its name's extension.")
    size = serializers.IntegerField(help_text="In bytes.")
    url = serializers.SerializerMethodField(help_text="Its download (GET /api/v1/attachments/{id}/).")

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, attachment: Attachment) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:attachment", kwargs={"pk": attachment.pk})
        )


class TicketAttachment(AttachmentSerializer):
    """A file of a ticket, and what it came with."""

    message = serializers.IntegerField(
        source="message_id", allow_null=True, help_text="The message it came with; null: the request itself."
    )

    class Meta(AttachmentSerializer.Meta):
        fields = [*AttachmentSerializer.Meta.fields, "message", "created_at"]
        read_only_fields = fields


class MessageForCustomer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketMessage
        fields = ["id", "author", "body", "from_cc", "created_at", "attachments"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, message: TicketMessage) -> str | None:
        return message.author.display_name if message.author_id else None


class MessageForStaff(MessageForCustomer):
    internal = serializers.BooleanField(source="is_internal")

    class Meta(MessageForCustomer.Meta):
        fields = [*MessageForCustomer.Meta.fields, "internal"]
        read_only_fields = fields


class MessageDoc(MessageForCustomer):
    """A message as the schema documents it: `internal` comes to staff only."""

    internal = serializers.BooleanField(required=False, help_text="Staff only: an internal note.")

    class Meta(MessageForCustomer.Meta):
        fields = [*MessageForCustomer.Meta.fields, "internal"]
        read_only_fields = MessageForCustomer.Meta.fields
        ref_name = "Message"


# --- What the API accepts (documentation: the forms named in each view validate) ---------------

# How a request logged by staff reached IT (the portal is the customer's own way in).
LOGGED_CHANNELS = [c for c in Ticket.Channel.choices if c[0] != Ticket.Channel.PORTAL]


class TicketCreateInput(serializers.Serializer):
    service = serializers.IntegerField(help_text="A catalog entry's id (GET /api/v1/services/).")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000, help_text="Markdown.")
    urgency = serializers.ChoiceField(choices=Ticket._meta.get_field("urgency").choices)
    impact = serializers.ChoiceField(choices=Ticket._meta.get_field("impact").choices)
    customer = serializers.IntegerField(required=False, help_text="Staff only: whom the request is for.")
    channel = serializers.ChoiceField(
        choices=LOGGED_CHANNELS,
        required=False,
        help_text="Staff only: how it reached IT.",
    )


class TicketChangeInput(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Ticket._meta.get_field("priority").choices, required=False)
    team = serializers.IntegerField(allow_null=True, required=False)
    assignee = serializers.IntegerField(allow_null=True, required=False)
    status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False)


class MessageInput(serializers.Serializer):
    body = serializers.CharField(max_length=20_000, help_text="Markdown.")
    internal = serializers.BooleanField(default=False, help_text="Staff only: an internal note.")


class Attachments(serializers.ListField):
    """Files sent as multipart/form-data, each part named `attachments`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            child=serializers.FileField(),
            required=False,
            max_length=settings.ATTACHMENT_MAX_FILES,
            help_text=f"Up to {settings.ATTACHMENT_MAX_FILES} files (repeat the part), each at most "
            f"{settings.ATTACHMENT_MAX_BYTES} bytes, of the types "
            f"{', '.join(sorted(settings.ATTACHMENT_EXTENSIONS))} (by the name's extension).",
            **kwargs,
        )


class TicketCreateUpload(TicketCreateInput):
    attachments = Attachments()


class MessageUpload(MessageInput):
    attachments = Attachments()
