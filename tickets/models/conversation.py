"""What is said and done on a ticket: the conversation, its files, its history, ready-made answers."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket


class TicketMessage(models.Model):
    """One entry in a ticket's conversation: a public reply, or an internal note agents alone see."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    # None: written by the service desk itself (an automatic status update).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(help_text=_("Markdown."))
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="tickets_message_ticket_idx")]

    def __str__(self) -> str:
        return f"{'Note' if self.is_internal else 'Reply'} on {self.ticket_id} by {self.author_id}"


class TicketEvent(models.Model):
    """The history of a ticket: who changed what, from what to what, and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Submitted")
        STATUS_CHANGED = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assignee changed")
        TEAM_CHANGED = "team", _("Team changed")
        PRIORITY_CHANGED = "priority", _("Priority changed")
        REPLIED = "replied", _("Replied")
        NOTE_ADDED = "note", _("Internal note added")
        ESCALATED = "escalated", _("Escalated")
        REDIRECTED = "redirected", _("Redirected with guidance")
        ROOT_CAUSE = "root_cause", _("Root cause recorded")
        TAUGHT = "taught", _("Process taught")
        CONTACT_CALLED = "called", _("Contact called for the customer")
        FULFILLED = "fulfilled", _("Done by IT although out of scope")
        PROCESS_ESCALATED = "process", _("Process escalated for improvement")
        UPDATE_NUDGED = "update_due", _("Customer due an update: assignee nudged")
        AUTO_UPDATE = "auto_update", _("Automatic status update sent")
        CUSTOMER_REMINDED = "reminded", _("Customer reminded IT is waiting")
        SLA_WARNED = "sla_warned", _("SLA warning")
        SLA_BREACHED = "sla_breached", _("SLA breached: escalated to managers")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="tickets_event_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"


class CannedResponse(models.Model):
    """A ready-made answer agents insert into a reply and adapt."""

    title = models.CharField(max_length=120, unique=True)
    body = models.TextField(help_text=_("Markdown."))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


def _attachment_path(attachment: "Attachment", filename: str) -> str:
    # Never the uploader's file name on disk: it is shown, escaped, but only ever stored as data.
    return f"attachments/{attachment.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a ticket (with the request or with one reply), served only to those who may see it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("tickets:attachment", kwargs={"pk": self.pk})
