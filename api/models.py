"""Personal API tokens, and the keys that make a retried create answer with the first one's result."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal token a user (or an automation account) authenticates to the API with.

    Only the SHA-256 of the token is kept: the token itself is shown once, when it is made. The
    prefix is its first characters, so its owner can tell which one a list row is.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What it is for, e.g. “Monitoring”."))
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    # Written at most once a minute (api/services.py), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` on a create: the same key from the same user within
    IDEMPOTENCY_KEY_HOURS answers with the ticket the first request made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # The SHA-256 of the request the key was first sent with: the key again with another request
    # is the client's mistake, refused rather than answered with a ticket it did not describe.
    request_hash = models.CharField(max_length=64)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → ticket {self.ticket_id}"
