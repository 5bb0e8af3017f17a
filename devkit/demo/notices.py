"""The demo's notices as their people left them: what came before the last two days was read a
couple of hours after it arrived (through the service, as opening it would), the rest is new."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from notifications.services import notifications_mark_read

STILL_NEW_FOR = timedelta(days=2)
READ_AFTER = timedelta(hours=2)


def notices_demo_read(users: dict[str, User]) -> None:
    seen_before = timezone.now() - STILL_NEW_FOR
    old = Notification.objects.filter(
        recipient__in=users.values(), read_at__isnull=True, created_at__lt=seen_before
    ).values_list("pk", "recipient_id", "created_at")
    by_id = {user.pk: user for user in users.values()}
    for pk, recipient_id, created_at in old:
        notifications_mark_read(
            recipient=by_id[recipient_id], notification_ids=[pk], now=created_at + READ_AFTER
        )
