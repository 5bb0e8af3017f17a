from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Notification, OutboundEmail


def outbound_email_list_recent(*, limit: int = 100) -> list[OutboundEmail]:
    """The newest outbox rows, for the developer mailbox."""
    return list(
        OutboundEmail.objects.only("pk", "to_address", "subject", "status", "created_at", "sent_at")[:limit]
    )


def outbound_email_get(*, pk: int) -> OutboundEmail:
    return get_object_or_404(OutboundEmail, pk=pk)


def notifications_for(*, recipient, limit: int = 50) -> list[Notification]:
    """A person's latest notices, newest first."""
    return list(Notification.objects.filter(recipient=recipient)[:limit])


def notification_list_for(*, recipient) -> QuerySet[Notification]:
    """All of a person's notices, newest first (the API pages through them)."""
    return Notification.objects.filter(recipient=recipient)


def notification_get_for(*, recipient, pk: int) -> Notification:
    """One of this person's own notices; anyone else's is a 404."""
    return get_object_or_404(Notification, recipient=recipient, pk=pk)


def notifications_unread_count(*, recipient) -> int:
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()
