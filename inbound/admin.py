from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import InboundEmail


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Every message that came in, what became of it, and the ones that failed, to retry."""

    list_display = ["subject", "from_address", "status", "reason", "received_at", "ticket"]
    list_filter = ["status", "via", "received_at"]
    search_fields = ["from_address", "subject", "message_key"]
    date_hierarchy = "received_at"
    actions = ["retry_reading"]
    readonly_fields = [
        "message_key", "via", "received_at", "status", "from_address", "subject", "reason", "error",
        "attempts", "processed_at", "ticket", "raw_text",
    ]  # fmt: skip
    exclude = ["raw"]

    @admin.display(description=_("Message as received"))
    def raw_text(self, obj: InboundEmail) -> str:
        # Shown as text (the admin escapes it); bytes that are not UTF-8 show as replacements.
        return bytes(obj.raw).decode("utf-8", errors="replace")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages only ever come in through IMAP or the MTA pipe

    def has_delete_permission(self, request: HttpRequest, obj: InboundEmail | None = None) -> bool:
        return False  # the record of what came in

    @admin.action(description=_("Read the selected failed e-mails again"), permissions=["change"])
    def retry_reading(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        retried = 0
        for inbound in queryset:
            if services.inbound_retry(inbound=inbound, by=request.user):  # in the admin log
                retried += 1
        self.message_user(
            request,
            ngettext("%d e-mail will be read again.", "%d e-mails will be read again.", retried) % retried,
            messages.SUCCESS,
        )
        if queryset.count() > retried:
            self.message_user(request, _("Only failed e-mails are read again; the rest were left alone."))
