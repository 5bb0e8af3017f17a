from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q


class OutboundEmailQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status="pending")

    def due_for_relay(self, now: datetime):
        """Pending rows whose delivery task never reached the broker, or was lost on the way."""
        never_enqueued = Q(
            enqueued_at__isnull=True,
            created_at__lte=now - timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS),
        )
        lost = Q(enqueued_at__lte=now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS))
        return self.pending().filter(never_enqueued | lost)
