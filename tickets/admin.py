from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .models import (
    BusinessCalendar,
    CannedResponse,
    FollowUpPolicy,
    Holiday,
    Service,
    SlaPolicy,
    Team,
    Ticket,
    TicketEvent,
    TicketMessage,
    WorkingHours,
)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """The service catalog: what IT does, and who does what it does not."""

    list_display = [
        "name",
        "provided_by_it",
        "owning_department",
        "default_team",
        "is_active",
        "not_yet_supported",
    ]
    list_filter = ["provided_by_it", "is_active", "not_yet_supported", "default_team"]
    search_fields = ["name", "summary", "owning_department"]
    prepopulated_fields = {"slug": ["name"]}
    # A form link typed without a scheme is https:// (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description", "is_active"]}),
        ("Who does it", {"fields": ["provided_by_it", "default_team"]}),
        (
            "When IT does not: the official process",
            {
                "fields": [
                    "owning_department",
                    "process_steps",
                    "form_url",
                    "contact_name",
                    "contact_phone",
                    "contact_email",
                ]
            },
        ),
    ]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "customer_category", "first_response_minutes", "resolution_minutes"]
    list_filter = ["priority", "customer_category"]


@admin.register(FollowUpPolicy)
class FollowUpPolicyAdmin(admin.ModelAdmin):
    """How often customers hear from IT while a request is open (without a row: the defaults)."""

    list_display = ["priority", "customer_category", "update_every_minutes"]
    list_filter = ["priority", "customer_category"]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "is_default"]
    inlines = [WorkingHoursInline, HolidayInline]


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "body"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class TicketMessageInline(ReadOnlyInline):
    model = TicketMessage
    fields = ["created_at", "author", "is_internal", "body"]


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "actor", "kind", "old_value", "new_value", "note"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets are changed on the desk, through the services that audit them; here they are read."""

    list_display = ["__str__", "customer", "status", "priority", "assignee", "created_at"]
    list_filter = ["status", "priority", "team", "service"]
    search_fields = ["title", "customer__username", "customer__email"]
    list_select_related = ["customer", "assignee"]
    date_hierarchy = "created_at"
    inlines = [TicketMessageInline, TicketEventInline]
    exclude = ["search_document"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False
