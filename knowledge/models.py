"""Articles for the team and for customers, each save kept as a version."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The same dictionary as the tickets' search, so a word stems alike everywhere.
SEARCH_CONFIG = "english"


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One piece of documentation: a how-to, or a service standard (what is and isn't acceptable)."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        STANDARD = "standard", _("Service standard")

    class Audience(models.TextChoices):
        STAFF = "staff", _("Staff only")
        EVERYONE = "everyone", _("Everyone")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text=_("Markdown, shown as replies are."))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.STAFF)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    services = models.ManyToManyField("tickets.Service", blank=True, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_by = models.DateField(null=True, blank=True)
    # The review date the owner was last reminded of: one reminder per date (services.py).
    review_reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    # Title (A) over summary (B) over body (C); kept by services.article_search_document_refresh.
    search_document = SearchVectorField(null=True, editable=False)
    # Title (A) and summary (B) alone: what suggestions beside the request form match. A few
    # words per article, so ranking every match stays cheap where the body's document would
    # have to be read for thousands (docs/performance.md § Suggestions).
    subject_document = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["review_by"], name="knowledge_review_by"),
            models.Index(fields=["-updated_at"], name="knowledge_updated"),
        ]
        constraints = [
            # A service standard says how staff behave with customers: never theirs to read.
            models.CheckConstraint(
                condition=~models.Q(kind="standard") | models.Q(audience="staff"),
                name="knowledge_standard_is_staff_only",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.audience == self.Audience.EVERYONE


class ArticleVersion(models.Model):
    """What the article was after one save: a snapshot of its fields, who saved it and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    kind = models.CharField(max_length=10, choices=Article.Kind.choices)
    audience = models.CharField(max_length=10, choices=Article.Audience.choices)
    status = models.CharField(max_length=10, choices=Article.Status.choices)
    tag_names = models.JSONField(default=list)
    service_ids = models.JSONField(default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_by = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True, help_text=_("What changed, in a few words."))
    is_major = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_number")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:diff", args=[self.article_id, self.number])


class ArticleUse(models.Model):
    """An article linked from a reply: how often the team's answers lean on it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    message = models.ForeignKey(
        "tickets.TicketMessage", on_delete=models.CASCADE, related_name="article_uses"
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "message"], name="knowledge_use_once_per_reply")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} in message {self.message_id}"


class ArticleVote(models.Model):
    """Helpful or not, one per reader and article; a reader may change their mind."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "voter"], name="knowledge_vote_once")]

    def __str__(self) -> str:
        return f"{self.article_id}: {'helpful' if self.helpful else 'not helpful'}"


class Deflection(models.Model):
    """A customer said an article solved what they were about to ask: no ticket was made."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(
        "tickets.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What they had typed as the request's title, kept so the desk sees what was looked for.
    typed_title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="knowledge_deflection_at")]

    def __str__(self) -> str:
        return f"{self.article_id} solved it for {self.customer_id}"


class DocumentationFlag(models.Model):
    """An agent's "documentation missing" or "documentation wrong", with a line of why."""

    class Kind(models.TextChoices):
        MISSING = "missing", _("Documentation missing")
        WRONG = "wrong", _("Documentation wrong")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Wrong names the article; missing names the service it is missing for (and an article, if partial).
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    service = models.ForeignKey(
        "tickets.Service", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The draft opened for the service's team when there was no article (or owner) to tell.
    draft = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["service", "created_at"], name="knowledge_flag_service_at")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="wrong") | models.Q(article__isnull=False),
                name="knowledge_wrong_names_article",
            ),
            models.CheckConstraint(
                condition=models.Q(article__isnull=False) | models.Q(service__isnull=False),
                name="knowledge_flag_names_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"
