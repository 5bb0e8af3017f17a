class CustomerError(Exception):
    """A change the customer rules refuse; the message is shown to the user as it is."""
