class NotReadyError(Exception):
    """A service cannot go live yet: `missing` says what it still needs, one line each."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("; ".join(missing))
        self.missing = missing


class ReadinessStateError(Exception):
    """Something that cannot be acknowledged or recorded as asked (said in the message)."""
