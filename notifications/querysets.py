from .outbox import OutboxQuerySet


class OutboundEmailQuerySet(OutboxQuerySet):
    """The e-mail outbox's rows: pending() and due_for_relay() as every outbox has them."""
