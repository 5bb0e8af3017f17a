from datetime import datetime

from django.db import models


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=["new", "open", "pending"])

    def for_customer(self, customer):
        return self.filter(customer=customer)

    def breached(self, now: datetime):
        return self.open().filter(resolution_due_at__lt=now, sla_paused_at__isnull=True)

    def with_list_data(self):
        """What a list row shows, in the same query: service, assignee and team."""
        return self.select_related("service", "assignee", "team")
