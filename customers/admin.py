from django.contrib import admin
from django.http import HttpRequest

from .models import CategoryChange, CustomerProfile, RepeatOffenderSuggestion, VipDepartment


@admin.register(CustomerProfile)
class CustomerProfileAdmin(admin.ModelAdmin):
    """Profiles are edited on the customer's page, where category changes are audited."""

    list_display = ["user", "department", "location", "category", "is_senior_executive"]
    list_filter = ["category", "is_senior_executive", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(VipDepartment)
class VipDepartmentAdmin(admin.ModelAdmin):
    """Departments whose members are VIPs by rule."""

    search_fields = ["name"]


@admin.register(CategoryChange)
class CategoryChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "profile", "old_category", "new_category", "changed_by"]
    list_filter = ["new_category"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(RepeatOffenderSuggestion)
class RepeatOffenderSuggestionAdmin(CategoryChangeAdmin):
    list_display = ["created_at", "profile", "bypass_count", "status", "decided_by"]
    list_filter = ["status"]
