"""What staff read about incoming e-mail: the log of what came in and what became of each
message, and one message in full (its headers, the text the desk reads, its files, its bytes)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from . import mailparse
from .models import InboundEmail

# The raw message shown on its page: the headers and text of almost any e-mail; what is cut is
# attachments' base64, which the download has whole.
RAW_SHOWN_BYTES = 64 * 1024


@dataclass(frozen=True)
class InboundFilters:
    status: str = ""  # one InboundEmail.Status, or "" for every status
    via: str = ""  # one InboundEmail.Via, or "" for both
    q: str = ""  # part of the sender's address or of the subject


def inbound_email_list(*, filters: InboundFilters) -> QuerySet[InboundEmail]:
    """The messages that match, newest first, without their bytes (the list never shows them)."""
    emails = _matching(
        InboundEmail.objects.select_related("ticket").defer("raw", "ticket__description"), filters
    )
    if filters.status:
        emails = emails.filter(status=filters.status)
    return emails.order_by("-received_at", "-pk")


def inbound_email_status_counts(*, filters: InboundFilters) -> dict[str, int]:
    """How many messages of each status match every filter but the status (one query), for the
    status tabs: every status is a key, in the order the model defines them."""
    rows = _matching(InboundEmail.objects.all(), filters).values("status").annotate(n=Count("pk")).order_by()
    found = {row["status"]: row["n"] for row in rows}
    return {status: found.get(status, 0) for status in InboundEmail.Status.values}


def _matching(emails: QuerySet[InboundEmail], filters: InboundFilters) -> QuerySet[InboundEmail]:
    if filters.via:
        emails = emails.filter(via=filters.via)
    if filters.q:
        emails = emails.filter(Q(from_address__icontains=filters.q) | Q(subject__icontains=filters.q))
    return emails


def inbound_email_get(*, pk: int) -> InboundEmail:
    """One message with its bytes and the ticket it opened or joined; 404 if there is none."""
    return get_object_or_404(InboundEmail.objects.select_related("ticket"), pk=pk)


@dataclass
class InboundReading:
    """One message as its page shows it. `text` is None when the desk cannot read it (`problem`
    says why); the raw message is decoded as UTF-8, other bytes shown as replacement characters."""

    headers: mailparse.MailHeaders
    text: str | None
    problem: str = ""
    attachments: list[tuple[str, str, int]] = field(default_factory=list)  # name, type, bytes
    raw_text: str = ""
    raw_size: int = 0

    @property
    def raw_cut(self) -> bool:
        return self.raw_size > RAW_SHOWN_BYTES

    @property
    def raw_shown_bytes(self) -> int:
        return RAW_SHOWN_BYTES


def inbound_email_reading(*, inbound: InboundEmail) -> InboundReading:
    """Read the stored message as the desk reads it, without changing anything."""
    raw = bytes(inbound.raw)
    reading = InboundReading(
        headers=mailparse.headers(raw),
        text=None,
        raw_text=raw[:RAW_SHOWN_BYTES].decode("utf-8", errors="replace"),
        raw_size=len(raw),
    )
    try:
        # Our own addresses only decide whether a machine sent it, which the status already says.
        parsed = mailparse.parse(raw, own_addresses=set())
    except Exception as exc:  # the very message that failed may fail here again
        reading.problem = f"{type(exc).__name__}: {exc}"
        return reading
    reading.text = mailparse.storable(parsed.text)
    reading.attachments = [
        (mailparse.storable(name), content_type, len(content))
        for name, content_type, content in parsed.attachments
    ]
    return reading
