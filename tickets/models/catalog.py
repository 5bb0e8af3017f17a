"""The service catalog: what IT does (and who does what it does not), and the teams that do it."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A group of agents that owns a kind of work (service desk, desktop, network…)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A catalog entry: what IT does, or what it does not do and who does it instead."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.CharField(
        max_length=255, help_text=_("One line, shown in the catalog and the request form.")
    )
    description = models.TextField(blank=True)
    provided_by_it = models.BooleanField(
        default=True, help_text=_("Off for out-of-scope requests, which are redirected with guidance.")
    )
    default_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Who does it when IT does not: the official process the customer is pointed to.
    owning_department = models.CharField(max_length=120, blank=True)
    process_steps = models.TextField(blank=True, help_text=_("How to get it done, step by step (Markdown)."))
    form_url = models.URLField(blank=True, verbose_name=_("form link"))
    contact_name = models.CharField(max_length=120, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    # Announced but not yet live: customers cannot choose it (service_list_for_catalog) until a
    # manager takes it live from the readiness page, which first checks the desk is ready for it.
    not_yet_supported = models.BooleanField(
        default=False,
        db_default=False,
        help_text=_("Hidden from customers until a manager takes it live from the readiness page."),
    )
    # The process register: how well the official process works, and who looks after it.
    process_health = models.CharField(
        max_length=12,
        choices=[("works", _("Works")), ("cumbersome", _("Cumbersome")), ("broken", _("Broken"))],
        default="works",
    )
    process_owner = models.CharField(max_length=120, blank=True, help_text=_("Who can change the process."))

    class Meta:
        ordering = ["-provided_by_it", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provided_by_it=True) | ~Q(owning_department=""),
                name="tickets_service_out_of_scope_names_owner",
                violation_error_message=_("Say which department does it when IT does not."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tickets:catalog_detail", kwargs={"slug": self.slug})
