from datetime import datetime

from django.db import models
from django.db.models import Q


def sla_due_before(moment: datetime) -> Q:
    """The clock is running and the ticket's next target (the first answer until there is one,
    then the resolution) falls before `moment`: the many-ticket form of `Ticket.sla_state()`,
    for filters and conditional counts. Before now: breached; before now + SLA_AT_RISK_HOURS:
    breaching soon."""
    first_answer_due = Q(first_responded_at__isnull=True, first_response_due_at__lt=moment)
    return Q(sla_paused_at__isnull=True) & (first_answer_due | Q(resolution_due_at__lt=moment))


class TicketQuerySet(models.QuerySet):
    def unresolved(self):
        """New, open or pending: what the queue and "open requests" mean (and the partial indexes)."""
        return self.filter(status__in=self.model.UNRESOLVED_STATUSES)

    def sla_due_before(self, moment: datetime):
        return self.filter(sla_due_before(moment))

    def for_customer(self, customer):
        return self.filter(customer=customer)
