"""What the team has read and been trained on: the records behind the readiness page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Acknowledgement(models.Model):
    """An agent's "I have read and understood this" of one version of an article: a service
    standard (every agent reads each), or an article they were trained from, re-read after a
    major revision. The latest major version of the article is what must be acknowledged."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey("knowledge.Article", on_delete=models.CASCADE, related_name="+")
    version_number = models.PositiveIntegerField()
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "article", "version_number"], name="readiness_acknowledged_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} read {self.article_id} v{self.version_number}"


class TrainingRecord(models.Model):
    """An agent trained on a catalog service: when, by whom, from which article (and its version),
    with an optional short check of what they learnt."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("tickets.Service", on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(
        "knowledge.Article", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The article's version they were trained from: a later major version asks them to re-read.
    article_version_number = models.PositiveIntegerField(null=True, blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who trained them, if someone did."),
    )
    completed_on = models.DateField()
    check_question = models.CharField(
        max_length=300, blank=True, help_text=_("A question the trainer asked, e.g. “How do you reset MFA?”")
    )
    check_answer = models.CharField(max_length=500, blank=True, help_text=_("What they answered."))
    check_passed = models.BooleanField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-completed_on", "-pk"]
        indexes = [models.Index(fields=["service", "agent"], name="readiness_training_service")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(article__isnull=True) | models.Q(article_version_number__isnull=False),
                name="readiness_training_article_has_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} trained on {self.service_id} ({self.completed_on})"
