from django.contrib import admin
from django.http import HttpRequest

from .models import RecoveryCase, Survey


class ReadOnlyAdmin(admin.ModelAdmin):
    """Answers are the customer's and recovery is worked on its own pages, where it is audited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = [
        "ticket",
        "round",
        "customer",
        "agent",
        "grade",
        "invited_at",
        "reminded_at",
        "answered_at",
    ]
    list_filter = ["grade", "driver", "would_choose_us", "felt_indifference"]
    search_fields = ["ticket__title", "customer__username", "customer__email", "agent__username"]
    list_select_related = ["ticket", "customer", "agent"]
    date_hierarchy = "resolved_at"
    show_full_result_count = False  # no COUNT(*) over a large table on every page


@admin.register(RecoveryCase)
class RecoveryCaseAdmin(ReadOnlyAdmin):
    list_display = ["survey", "reason", "status", "owner", "opened_at", "outcome"]
    list_filter = ["status", "reason", "outcome"]
    list_select_related = ["survey__ticket", "owner"]

    def view_on_site(self, obj: RecoveryCase) -> str:
        return obj.get_absolute_url()
