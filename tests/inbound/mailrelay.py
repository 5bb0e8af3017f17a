"""The mail between the parties of the loop tests (tests/inbound/test_loop.py): a real SMTP server
on 127.0.0.1 standing for the Internet and the receiving mail servers, and what it hands each
message to, by its recipient: a servicedesk's `manage.py ingest_email` (as Postfix pipes it), or
a badly written auto-responder.

As a mail server does, the relay takes a message into its queue (250) and then hands it on, one
message at a time in the order taken; a recipient nobody set up is refused (550). Every message
is logged with what became of it (delivered, or failed and why), so none is lost without a trace.
"""

import queue
import smtplib
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from aiosmtpd.controller import Controller

from .imapserver import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Relayed:
    """One message the relay took in, and what became of it."""

    sender: str  # the envelope's MAIL FROM
    to: str
    from_header: str
    subject: str
    message_id: str
    auto_submitted: str  # "" when the message does not say
    outcome: str = "queued"  # then "delivered", or "failed: …"; "refused: …" when not taken


class MailRelay:
    """SMTP on 127.0.0.1 at `port`: each message for an address with a route is handed to it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.routes: dict[str, Callable[[bytes], None]] = {}
        # Header names taken out of every message before it is handed on (a forwarder that
        # rewrites what it passes on); none by default.
        self.dropped_headers: set[str] = set()
        self._log: list[Relayed] = []
        self._queue: queue.Queue[tuple[list[Relayed], bytes] | None] = queue.Queue()
        self._unfinished = 0  # messages taken and not yet handed on
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._delivery = threading.Thread(target=self._deliver, name="mail-relay", daemon=True)

    def start(self) -> "MailRelay":
        self._delivery.start()
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
        self._queue.put(None)
        self._delivery.join(timeout=90)

    def route(self, address: str, deliver: Callable[[bytes], None]) -> None:
        """Hand messages for `address` to `deliver` (which raises if it could not take one)."""
        self.routes[address.lower()] = deliver

    def log(self) -> list[Relayed]:
        with self._lock:
            return list(self._log)

    def idle(self) -> bool:
        with self._lock:
            return self._unfinished == 0

    # aiosmtpd's handler hooks.

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:
        if address.lower() not in self.routes:
            with self._lock:
                self._log.append(Relayed(envelope.mail_from, address, "", "", "", "", "refused: no route"))
            return "550 5.1.1 No mailbox here by that name"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = drop_headers(envelope.content, self.dropped_headers)
        headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        entries = [
            Relayed(
                sender=envelope.mail_from,
                to=recipient.lower(),
                from_header=parseaddr(str(headers.get("From", "")))[1].lower(),
                subject=" ".join(str(headers.get("Subject", "")).split()),
                message_id=str(headers.get("Message-ID", "")).strip(),
                auto_submitted=str(headers.get("Auto-Submitted", "")).strip(),
            )
            for recipient in envelope.rcpt_tos
        ]
        with self._lock:
            self._log.extend(entries)
            self._unfinished += 1
        self._queue.put((entries, raw))
        return "250 OK: queued"

    def _deliver(self) -> None:
        while (taken := self._queue.get()) is not None:
            entries, raw = taken
            for entry in entries:
                try:
                    self.routes[entry.to](raw)
                except Exception as exc:
                    entry.outcome = f"failed: {type(exc).__name__}: {exc}"
                else:
                    entry.outcome = "delivered"
            with self._lock:
                self._unfinished -= 1


def drop_headers(raw: bytes, names: set[str]) -> bytes:
    """The message without the header fields `names` (their folded lines too), bytes otherwise
    untouched."""
    if not names:
        return raw
    head, separator, body = raw.partition(b"\r\n\r\n")
    wanted = {name.lower().encode() for name in names}
    kept, dropping = [], False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):  # a folded continuation of the field before
            if not dropping:
                kept.append(line)
            continue
        dropping = line.split(b":", 1)[0].strip().lower() in wanted
        if not dropping:
            kept.append(line)
    return b"\r\n".join(kept) + separator + body


class IngestCommand:
    """`manage.py ingest_email` with a servicedesk's environment, the message on standard input,
    as an MTA pipe runs it; a status other than 0 (75: not stored) raises."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, raw: bytes) -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", "ingest_email"],
            input=raw,
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            timeout=60,
        )
        if result.returncode:
            raise RuntimeError(f"ingest_email exited {result.returncode}: {result.stderr.decode()[-2000:]}")


def send(port: int, message: EmailMessage) -> None:
    """Hand a message to the relay, as a mail client or a mail server does."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        smtp.send_message(message)


def message(*, sender: str, to: str, subject: str, text: str, domain: str) -> EmailMessage:
    """An e-mail as a person's mail client writes it: no header saying a machine sent it."""
    written = EmailMessage()
    written["From"] = sender
    written["To"] = to
    written["Subject"] = subject
    written["Date"] = formatdate(localtime=True)
    written["Message-ID"] = make_msgid(domain=domain)
    written.set_content(text)
    return written


class NaiveResponder:
    """A badly written auto-responder (a vacation bot, a misconfigured ticket system): it answers
    every message it receives, at once, to its Reply-To (else its From), as a new message with a
    fresh Message-ID and none of the marks of a machine: no Auto-Submitted, Precedence or
    X-Autoreply, no In-Reply-To or References, nothing kept of the headers of what it answers
    (our loop header included), and a subject a person might write: `subject(n, theirs)` for the
    n-th answer."""

    def __init__(self, address: str, relay_port: int, subject: Callable[[int, str], str]) -> None:
        self.address, self.relay_port, self.subject = address, relay_port, subject
        self.answered = 0
        self._lock = threading.Lock()

    def __call__(self, raw: bytes) -> None:
        incoming = BytesParser(policy=policy.default).parsebytes(raw)
        with self._lock:
            self.answered += 1
            number = self.answered
        reply_to = parseaddr(str(incoming.get("Reply-To") or incoming.get("From", "")))[1]
        quoted = "\n".join(f"> {line}" for line in _text(incoming).splitlines())
        answer = message(
            sender=self.address,
            to=reply_to,
            subject=self.subject(number, " ".join(str(incoming.get("Subject", "")).split())),
            text=f"Thank you for your message. I will read it when I am back on Monday.\n\n{quoted}",
            domain=self.address.rpartition("@")[2],
        )
        send(self.relay_port, answer)


def _text(incoming: EmailMessage) -> str:
    part = incoming.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""
