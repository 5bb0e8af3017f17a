"""Reading one RFC 5322 message as the desk needs it: who sent it, about what, what they wrote
(without the quoted history), and whether a machine sent it. Functions over bytes; nothing here
touches the database.

The standard library's parser (policy.default) decodes encoded-word headers and the declared
charset of each part; a charset Python does not know, or bytes that are not what the part
declares, fall back to Windows-1252 (a superset of ISO-8859-1 that decodes any byte), so a
mislabelled message reads a little wrong rather than not at all.
"""

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from notifications.services import REPLY_ABOVE_LINE

_REFERENCE = re.compile(r"\[SD-(\d{1,12})\]", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Subjects auto-responders use, in the languages a European office meets.
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|"
    r"absence|r[ée]ponse automatique|respuesta autom[aá]tica|undeliver(able|ed)|"
    r"delivery status notification|mail delivery (failed|subsystem))",
    re.IGNORECASE,
)
_MACHINE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.IGNORECASE)
LOOP_HEADER = "X-Servicedesk-Loop"
_QUOTE_HEADS = [
    re.compile(r"^On .{1,300}wrote:\s*$"),  # Gmail, Apple Mail, Thunderbird
    re.compile(r"^Am .{1,300}schrieb .{0,200}:\s*$"),
    re.compile(r"^Le .{1,300}a écrit\s*:\s*$"),
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),  # Outlook (plain)
    re.compile(r"^_{10,}\s*$"),  # Outlook's rule before "From: … Sent: …"
    re.compile(r"^From:\s.+$"),  # a forwarded or Outlook-quoted header block (checked below)
    re.compile(r"^--\s*$"),  # the signature separator ("-- ", often sent without its space)
]


@dataclass
class ParsedMail:
    from_address: str
    from_name: str
    subject: str
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    cc: list[str]
    text: str  # what the sender wrote, quotes and signature removed
    full_text: str  # the whole text part, as sent
    automatic: str = ""  # why a machine sent it ("" for a person)
    forwarded_from: tuple[str, str] | None = None  # (name, address) of a forwarded e-mail's sender
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, type, content
    cc_unreadable: str = ""  # the Cc header as written, when it could not be read in full

    @property
    def reference_pk(self) -> int | None:
        match = _REFERENCE.search(self.subject)
        return int(match.group(1)) if match else None


def message_key(raw: bytes) -> str:
    """What makes two copies of a message the same: its Message-ID, else a digest of the bytes."""
    try:
        headers = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        found = _MESSAGE_ID.search(str(headers.get("Message-ID", "")))
    except Exception:  # a message too broken for its headers is still one message
        found = None
    if found:
        return found.group(0)[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@dataclass
class MailHeaders:
    """The headers staff read to know a message: each decoded, on one line, "" when absent."""

    from_header: str
    to: str
    cc: str
    date: str
    subject: str
    message_id: str

    @property
    def from_address(self) -> str:
        return parseaddr(self.from_header)[1].strip().lower()


_SUMMARY_HEADERS = {
    "from_header": "From", "to": "To", "cc": "Cc", "date": "Date", "subject": "Subject",
    "message_id": "Message-ID",
}  # fmt: skip


def headers(raw: bytes) -> MailHeaders:
    """The message's From, To, Cc, Date, Subject and Message-ID, decoded as well as they can be;
    never raises, so a message the desk could not read still shows who sent it, about what."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    except Exception:
        message = None
    return MailHeaders(**{field: _header(message, name) for field, name in _SUMMARY_HEADERS.items()})


def _header(message: EmailMessage | None, name: str) -> str:
    if message is None:
        return ""
    try:
        values = [str(value) for value in message.get_all(name, [])]
    except Exception:  # an encoded word or address the parser refuses: its text as written
        values = [str(value) for _name, value in message.raw_items() if _name.lower() == name.lower()]
    return storable(" ".join(", ".join(values).split()))


def storable(text: str) -> str:
    """Text a page and the database can take: bytes the parser could not decode come back from it
    as lone surrogates, shown as replacement characters; NUL, which Postgres refuses, dropped."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\0", "")


def parse(raw: bytes, *, own_addresses: set[str]) -> ParsedMail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    from_name, from_address = parseaddr(str(message.get("From", "")))
    full_text = _body_text(message)
    parsed = ParsedMail(
        from_address=from_address.strip().lower(),
        from_name=from_name.strip(),
        subject=" ".join(str(message.get("Subject", "")).split()),
        message_id=message_key(raw),
        in_reply_to=_MESSAGE_ID.findall(str(message.get("In-Reply-To", ""))),
        references=_MESSAGE_ID.findall(str(message.get("References", ""))),
        cc=[],
        text=strip_quoted(full_text),
        full_text=full_text,
        attachments=_attachments(message),
    )
    parsed.cc, parsed.cc_unreadable = _cc(message)
    parsed.automatic = _automatic(message, parsed, own_addresses)
    parsed.forwarded_from = forwarded_sender(full_text)
    return parsed


def _cc(message: EmailMessage) -> tuple[list[str], str]:
    """The addresses on the Cc, lower case; and, if the header is too broken for the mail parser
    (an encoded word of bad bytes, a lone "<"), the header as written, read as plain text for
    whatever addresses it still holds: a bad Cc must not cost the request its sender's message."""
    try:
        pairs, unreadable = getaddresses(message.get_all("Cc", [])), ""
    except Exception:
        unreadable = _header(message, "Cc")
        pairs = getaddresses([unreadable])
    return [address.lower() for _, address in pairs if "@" in address], unreadable


_FORWARD_HEADS = re.compile(
    r"^(-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:|-{2,}\s*Original Message\s*-{2,}|"
    r"-{2,}\s*Weitergeleitete Nachricht\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)


def forwarded_sender(text: str) -> tuple[str, str] | None:
    """(name, address) of the person whose e-mail this text forwards, from the first forwarded
    header block (Gmail, Outlook, Apple Mail), or None."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not _FORWARD_HEADS.match(line.strip()):
            continue
        for header in lines[index + 1 : index + 8]:
            if header.strip().lower().startswith("from:"):
                name, address = parseaddr(header.split(":", 1)[1].strip().replace("mailto:", ""))
                if "@" in address:
                    return name.strip('"* '), address.lower()
    return None


def _automatic(message: EmailMessage, parsed: ParsedMail, own_addresses: set[str]) -> str:
    """Why this message came from a machine (an auto-reply, a bounce, a list, ourselves), or ""."""
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for header in ("X-Autoreply", "X-Autorespond"):
        if header in message:
            return f"{header} header"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    if message.get_content_type() == "multipart/report":
        return "a delivery report (multipart/report)"
    if LOOP_HEADER in message:
        return "our own loop header"
    if parsed.from_address in own_addresses:
        return "sent from the desk's own address"
    if not parsed.from_address or _MACHINE_SENDERS.match(parsed.from_address):
        return f"sent by {parsed.from_address or 'nobody'} (a mail system)"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "empty Return-Path (a bounce)"
    if _AUTO_SUBJECT.match(parsed.subject):
        return "an automatic reply, by its subject"
    return ""


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _decoded(part)
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content.replace("\r\n", "\n").strip()


def _decoded(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("cp1252", errors="replace")


def _attachments(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    found = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        name = part.get_filename() or f"attachment.{part.get_content_subtype()}"
        found.append((name, part.get_content_type(), part.get_payload(decode=True) or b""))
    return found


def strip_quoted(text: str) -> str:
    """What the sender wrote above the quoted history and signature."""
    lines = text.splitlines()
    cut = len(lines)
    for index, line in enumerate(lines):
        stripped = line.rstrip()
        if REPLY_ABOVE_LINE.lower() in stripped.lower():
            cut = index
            break
        if stripped.startswith(">") and all(
            not rest.strip() or rest.lstrip().startswith(">") for rest in lines[index:]
        ):
            cut = index
            break
        if any(pattern.match(stripped) for pattern in _QUOTE_HEADS):
            if stripped.startswith("From:") and not _outlook_header_block(lines[index : index + 6]):
                continue
            cut = index
            break
    kept = "\n".join(lines[:cut]).strip()
    return kept or text.strip()  # all of it quoted: keep it rather than store nothing


def _outlook_header_block(lines: list[str]) -> bool:
    heads = {line.split(":", 1)[0].strip().lower() for line in lines if ":" in line}
    return "from" in heads and bool(heads & {"sent", "date", "to", "subject"})


class _TextExtractor(HTMLParser):
    _BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}
    _SKIPPED = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self._SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text of an HTML body, its paragraphs kept as lines; no markup survives."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
