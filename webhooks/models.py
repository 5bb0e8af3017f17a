from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.outbox import OutboxQuerySet


class WebhookEndpoint(models.Model):
    """A URL outside the desk that hears of the events a manager chose, signed with its secret."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(
        max_length=100,
        help_text=_("Standard Webhooks form: whsec_ and the base64 of the key the signatures are made with."),
    )
    events = models.JSONField(default=list, help_text=_("The event types it hears of (webhooks.events)."))
    is_active = models.BooleanField(_("active"), default=True)
    # The first failure since the last delivery it accepted: an endpoint failing for
    # WEBHOOK_PAUSE_AFTER_HOURS is paused (paused_at), so events stop piling up for it.
    failing_since = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it was turned off for failing, by the desk itself.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("webhooks:endpoint_detail", kwargs={"pk": self.pk})


class WebhookDelivery(models.Model):
    """One event for one endpoint: an outbox row (notifications.outbox), written in the
    transaction of the change; the unique (event id, endpoint) sends each event once to each."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead letter")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(
        max_length=64, help_text=_("The webhook-id header: the same on every attempt.")
    )
    event_type = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a delivery task was last handed to the broker.")
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Not to be tried before this (a retry's backoff).")
    )
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text=_("A delivery task is working on it until then.")
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "endpoint"], name="webhooks_delivery_once_per_endpoint"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="webhooks_delivery_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="dead") | Q(dead_at__isnull=False),
                name="webhooks_delivery_dead_has_dead_at",
            ),
        ]
        indexes = [
            # The delivery log: an endpoint's rows, newest first.
            models.Index(fields=["endpoint", "-created_at", "-id"], name="webhooks_delivery_log_idx"),
            # The relay's scan touches only pending rows, however large the table grows.
            models.Index(
                fields=["enqueued_at", "created_at"],
                condition=Q(status="pending"),
                name="webhooks_pending_idx",
            ),
            # An endpoint's dead letters (counted on the pages, delivered again), read without
            # walking its whole log.
            models.Index(fields=["endpoint"], condition=Q(status="dead"), name="webhooks_dead_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"
