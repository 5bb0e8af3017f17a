from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InboundEmail(models.Model):
    """One message that came in (by IMAP or an MTA pipe), stored as received before anything reads
    it, so a message the desk cannot understand is still here, with the error, to be retried."""

    class Via(models.TextChoices):
        PIPE = "pipe", _("MTA pipe")
        IMAP = "imap", _("IMAP mailbox")

    class Status(models.TextChoices):
        STORED = "stored", _("Waiting to be read")
        TICKET = "ticket", _("Opened a request")
        REPLY = "reply", _("Added a reply")
        IGNORED = "ignored", _("Ignored: no request, no answer")
        REFUSED = "refused", _("Refused: unknown sender")
        FAILED = "failed", _("Failed")

    message_key = models.CharField(
        max_length=255, unique=True, help_text=_("Its Message-ID, or a digest of its bytes when it has none.")
    )
    raw = models.BinaryField(help_text=_("The message exactly as received."))
    via = models.CharField(max_length=10, choices=Via)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status, default=Status.STORED)
    from_address = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=255, blank=True, help_text=_("Why it was ignored or refused."))
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_emails"
    )

    class Meta:
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The Mail page: the newest first, a page at a time, without sorting every message.
            models.Index(fields=["-received_at", "-id"], name="inbound_received_idx"),
            # The sweep reads only the messages not yet read, however many have come in.
            models.Index(fields=["received_at"], condition=Q(status="stored"), name="inbound_stored_idx"),
            # The per-sender limit counts one address's last hour.
            models.Index(fields=["from_address", "processed_at"], name="inbound_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject or '(no subject)'} ← {self.from_address or '(unknown sender)'}"
