class MeetingError(Exception):
    """A change to a meeting, an action or a nomination that its state does not allow."""
