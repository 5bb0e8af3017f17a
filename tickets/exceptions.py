class TicketError(Exception):
    """A request the ticket's rules refuse; the message is shown to the user as it is."""


class TicketStateError(TicketError):
    """The ticket's status does not allow this change."""


class TicketClaimedError(TicketError):
    """Someone else took the ticket first."""
