from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from .models import AccountEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff"]


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The accounts' audit trail: readable, never editable."""

    list_display = ["created_at", "user", "kind", "actor", "ip_address"]
    list_filter = ["kind", "created_at"]
    search_fields = ["user__username", "user__email", "ip_address"]
    list_select_related = ["user", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccountEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AccountEvent | None = None) -> bool:
        return False
