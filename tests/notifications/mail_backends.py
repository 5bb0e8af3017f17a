"""E-mail backends that misbehave the way real mail servers do."""

from django.core.mail.backends.locmem import EmailBackend


class RefusesFirstConnection(EmailBackend):
    """Refuses the first connection it is asked to open, then works like the locmem backend."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refused = False

    def open(self) -> bool:
        if not self.refused:
            self.refused = True
            raise ConnectionRefusedError("the mail server refused the connection")
        return super().open()
