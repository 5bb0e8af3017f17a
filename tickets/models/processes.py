"""Improvements to the official processes that turned customers away (the process register)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalog import Service
from .ticket import Ticket


class ProcessImprovement(models.Model):
    """A proposal to fix an official process that turned customers away, and what came of it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")

    process = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="improvements")
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    suggested_fix = models.TextField()
    status = models.CharField(max_length=12, choices=Status, default=Status.PROPOSED)
    what_changed = models.TextField(
        blank=True, help_text=_("Told to every customer the process turned away.")
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    # Set once every affected customer has been told (the follow-up scan finishes any left undone).
    followups_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.process}: {self.suggested_fix[:60]}"
