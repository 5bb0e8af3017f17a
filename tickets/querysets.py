from datetime import datetime

from django.apps import apps
from django.db import models
from django.db.models import Q


def sla_due_before(moment: datetime) -> Q:
    """The clock is running and the ticket's next target (the first answer until there is one,
    then the resolution) falls before `moment`: the many-ticket form of `Ticket.sla_state()`,
    for filters and conditional counts. Before now: breached; before now + SLA_AT_RISK_HOURS:
    breaching soon."""
    first_answer_due = Q(first_responded_at__isnull=True, first_response_due_at__lt=moment)
    return Q(sla_paused_at__isnull=True) & (first_answer_due | Q(resolution_due_at__lt=moment))


# The one definition of "a customer turned away by a process": their request cited the official
# process and IT found it cumbersome or broken, or gone around on purpose. A customer who simply did
# not know the process (taught or redirected) was not failed by it.
TURNED_AWAY_ROOT_CAUSES = ("process_broken", "bypassed")


def turned_away_by_process(prefix: str = "") -> Q:
    """The tickets whose customer a process turned away, as a condition on tickets (or, with
    `prefix`, e.g. "citing_tickets__", on a relation to them)."""
    return Q(**{f"{prefix}cited_process__isnull": False, f"{prefix}root_cause__in": TURNED_AWAY_ROOT_CAUSES})


def on_customers_side(user, prefix: str = "") -> Q:
    """The tickets on this person's side of the desk: their own and those they are copied on, as
    a condition on tickets (or, with `prefix`, e.g. "ticket__", on a relation to them)."""
    # Ids from two index lookups, not `customer = me OR EXISTS (copied)`: with that OR, a list in
    # date order walked the whole table by date, testing each row (9.8 s at 1M tickets for a
    # customer whose requests are old).
    own = apps.get_model("tickets", "Ticket").objects.filter(customer=user).order_by().values("pk")
    copied = apps.get_model("tickets", "TicketCC").objects.filter(user=user).order_by().values("ticket_id")
    return Q(**{f"{prefix}pk__in": own.union(copied)})


class TicketQuerySet(models.QuerySet):
    def turned_away_by_process(self):
        """Requests whose customer the process they cited turned away (see TURNED_AWAY_ROOT_CAUSES)."""
        return self.filter(turned_away_by_process())

    def unresolved(self):
        """New, open or pending: what the queue and "open requests" mean (and the partial indexes)."""
        return self.filter(status__in=self.model.UNRESOLVED_STATUSES)

    def sla_due_before(self, moment: datetime):
        return self.filter(sla_due_before(moment))

    def for_customer(self, customer):
        return self.filter(customer=customer)
