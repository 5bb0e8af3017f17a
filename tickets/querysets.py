from django.db import models


class TicketQuerySet(models.QuerySet):
    def open(self):
        # The same statuses as Ticket.OPEN_STATUSES and the partial indexes' condition.
        return self.filter(status__in=["new", "open", "pending"])

    def for_customer(self, customer):
        return self.filter(customer=customer)
