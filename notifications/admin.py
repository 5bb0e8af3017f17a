from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox, where staff find dead letters and send them again."""

    list_display = ["subject", "to_address", "status", "attempts", "next_attempt_at", "created_at", "sent_at"]
    list_filter = ["status", "template", "created_at"]
    search_fields = ["to_address", "subject", "idempotency_key"]
    date_hierarchy = "created_at"
    actions = ["retry_delivery"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages are only ever written by the services that cause them

    def has_delete_permission(self, request: HttpRequest, obj: OutboundEmail | None = None) -> bool:
        return False  # the outbox is the record of what was sent

    @admin.action(description=_("Retry delivery of the selected unsent e-mails"), permissions=["change"])
    def retry_delivery(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        retried = 0
        for message in queryset:
            if services.outbound_email_retry(message=message):
                self.log_change(request, message, "Retried delivery from the admin.")
                retried += 1
        skipped = queryset.count() - retried
        self.message_user(
            request,
            ngettext("%d e-mail queued for delivery.", "%d e-mails queued for delivery.", retried) % retried,
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(request, _("%d already sent, left alone.") % skipped, messages.WARNING)
