"""E-mail backends that misbehave the way real mail servers do."""

import smtplib

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


class RefusesBob(EmailBackend):
    """Answers "550 no such user" for bob@example.com, as a server does for a mistyped address,
    and delivers the rest like the locmem backend."""

    def send_messages(self, messages):
        for message in messages:
            if "bob@example.com" in message.to:
                raise smtplib.SMTPRecipientsRefused({"bob@example.com": (550, b"5.1.1 No such user")})
        return super().send_messages(messages)


class SignalledAsItAccepts(EmailBackend):
    """Delivers like the locmem backend, and the worker is sent `signal_number` (SIGTERM, or the
    soft time limit's SIGUSR1) the moment the second e-mail is accepted, before anything commits."""

    signal_number = 0

    def send_messages(self, messages):
        import os

        sent = super().send_messages(messages)
        from django.core import mail

        if len(mail.outbox) == 2:
            os.kill(os.getpid(), self.signal_number)
        return sent
