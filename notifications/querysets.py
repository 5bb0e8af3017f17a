from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q


class OutboundEmailQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status="pending")

    def due_for_relay(self, now: datetime):
        """Pending rows the relay is to hand the broker: never enqueued (the publish after commit
        failed), handed back or due for a retry; claimed by a task that has died; or enqueued long
        ago and never taken (the broker lost the message)."""
        grace = timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS)
        waiting = Q(enqueued_at__isnull=True) & (
            Q(next_attempt_at__isnull=True, created_at__lte=now - grace) | Q(next_attempt_at__lte=now)
        )
        claim_ran_out = Q(claimed_until__lt=now)
        lost = Q(
            claimed_until__isnull=True,
            enqueued_at__lte=now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS),
        )
        return self.pending().filter(waiting | claim_ran_out | lost)
