"""Read one RFC 5322 message on standard input and keep it (for an MTA pipe, e.g. Postfix's
`helpdesk: "|/srv/servicedesk/.venv/bin/python /srv/servicedesk/manage.py ingest_email"`).

Exit status 0 once the message is stored, whatever becomes of it; 75 (EX_TEMPFAIL) when it could
not be stored, so the mail server keeps it and tries again later.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from inbound.models import InboundEmail
from inbound.services import inbound_store

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Store one e-mail read from standard input; it becomes a request or a reply once read."
    # Run once per message: the system checks cost more than storing it, and a failing check
    # would exit 1 (the mail server bounces the message) where 75 (it tries again) is right.
    requires_system_checks = []

    def handle(self, *args, **options) -> None:
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("No message on standard input.", returncode=EX_TEMPFAIL)
        try:
            inbound, created = inbound_store(raw=raw, via=InboundEmail.Via.PIPE)
        except Exception as exc:  # anything at all: the MTA must keep the message
            raise CommandError(f"The message could not be stored: {exc}", returncode=EX_TEMPFAIL) from exc
        verb = "Stored" if created else "Already stored"
        self.stdout.write(f"{verb} as incoming e-mail {inbound.pk} ({inbound.message_key}).")
