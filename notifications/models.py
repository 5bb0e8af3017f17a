from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .querysets import OutboundEmailQuerySet


class OutboundEmail(models.Model):
    """One e-mail to one address, written in the transaction of the change that caused it.

    The row is the message: a Celery task delivers it after commit, the relay re-sends rows that
    never reached the broker, were lost on the way, were handed back or are due for a retry, and
    the row lock with the status makes any second attempt a no-op.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead letter")

    idempotency_key = models.CharField(
        max_length=255,
        unique=True,
        help_text=_(
            "Names the occasion (e.g. ticket, kind and slot); a second message for it is not created."
        ),
    )
    to_address = models.EmailField(_("to"))
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    template = models.CharField(max_length=100, help_text=_("The e-mail template it was rendered from."))
    thread = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("The conversation it belongs to (a ticket's Message-ID), for mail clients to thread it."),
    )
    in_reply_to = models.CharField(
        max_length=255, blank=True, help_text=_("The Message-ID of the incoming e-mail it answers.")
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a delivery task was last handed to the broker.")
    )
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Not to be tried before this (a retry's backoff, or the mail server found down)."),
    )
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "A delivery task is working on it until then; a claim that runs out belonged to a task "
            "that died, and the relay hands the e-mail to another."
        ),
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notifications_outboundemail_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="dead") | Q(dead_at__isnull=False),
                name="notifications_outboundemail_dead_has_dead_at",
            ),
        ]
        indexes = [
            # The relay's scan touches only pending rows, however large the table grows.
            models.Index(
                fields=["enqueued_at", "created_at"],
                condition=Q(status="pending"),
                name="notif_outbox_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address}"

    def get_absolute_url(self) -> str:
        return reverse("notifications:dev_mail_detail", kwargs={"pk": self.pk})


class Notification(models.Model):
    """An in-app notice for one person (the bell), written beside the e-mail of the same occasion."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=255, unique=True, help_text=_("The occasion: one notice each."))
    text = models.CharField(max_length=255)
    url = models.CharField(max_length=500, help_text=_("Where the notice leads (a path on this site)."))
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When what the notice asked for was done (e.g. the survey answered)."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_idx"),
            # The bell's unread count reads only unread rows.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.text
