from django.shortcuts import get_object_or_404

from .models import OutboundEmail


def outbound_email_list_recent(*, limit: int = 100) -> list[OutboundEmail]:
    """The newest outbox rows, for the developer mailbox."""
    return list(
        OutboundEmail.objects.only("pk", "to_address", "subject", "status", "created_at", "sent_at")[:limit]
    )


def outbound_email_get(*, pk: int) -> OutboundEmail:
    return get_object_or_404(OutboundEmail, pk=pk)
