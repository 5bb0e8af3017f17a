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
    # The customer's side of the conversation is the customer and the people copied on the request;
    # a copied person's message is marked, so it never reads as IT's even after they are removed.
    from_cc = models.BooleanField(
        default=False, db_default=False, help_text=_("Written by someone copied on the request, not by IT.")
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="tickets_message_ticket_idx")]

    def __str__(self) -> str:
        return f"{'Note' if self.is_internal else 'Reply'} on {self.ticket_id} by {self.author_id}"

    @property
    def from_requester_side(self) -> bool:
        """Written by the customer or someone they copied (else by IT, or the desk itself)."""
        return self.author_id is not None and (self.author_id == self.ticket.customer_id or self.from_cc)


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
        CC_ADDED = "cc_added", _("Copied someone on the request")
        CC_REMOVED = "cc_removed", _("Stopped copying someone")
        CC_NOT_ADDED = "cc_refused", _("Could not copy someone")
        DOC_FLAGGED = "doc_flagged", _("Flagged the documentation")

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


class TicketCC(models.Model):
    """Someone the customer copied on their request (on the e-mail, in the portal, or by IT): they
    get IT's public replies and may reply, as the customer may; internal notes, the customer's
    category, the survey and reopening stay the customer's."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ccs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ticket_ccs")
    # None: the desk itself (from the Cc of the e-mail that opened the request).
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("person copied")
        verbose_name_plural = _("people copied")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="tickets_cc_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} copied on {self.ticket_id}"


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
