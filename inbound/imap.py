"""The IMAP mailbox the desk reads, with the standard library's imaplib: connect (TLS, STARTTLS or
plain, with timeouts), sign in with a password or XOAUTH2, list the messages waiting, fetch them
without marking them read, and mark them read (or move them away) once they are stored. Nothing
here touches the database: inbound.services.inbound_imap_poll decides the order of things.

XOAUTH2 is how Microsoft 365 and Google Workspace take IMAP sign-ins now that they refuse
passwords: a bearer access token from the provider's token endpoint, got with a refresh token
(delegated access) or with the application's own client credentials, and kept in this process
until shortly before it expires.
"""

import base64
import imaplib
import json
import logging
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from ipaddress import ip_address

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

SECURITIES = ("ssl", "starttls", "none")
# A token is renewed this long before the provider says it expires, so it never runs out mid-poll.
TOKEN_RENEW_BEFORE_SECONDS = 60
# How long a token whose response gave no lifetime is kept.
TOKEN_DEFAULT_SECONDS = 300
_FETCHED_UID = re.compile(rb"\bUID (\d+)", re.IGNORECASE)


class ImapError(Exception):
    """The mailbox could not be read: the server refused a command, or answered what we cannot use."""


class ImapAuthError(ImapError):
    """The server, or the token endpoint, refused our credentials."""


@dataclass(frozen=True)
class OAuth2Config:
    token_url: str
    client_id: str
    client_secret: str
    refresh_token: str  # set: the refresh-token grant (delegated); empty: client credentials
    scope: str


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str
    security: str
    done_folder: str
    timeout: float
    batch: int
    oauth2: OAuth2Config | None

    @classmethod
    def from_settings(cls) -> "ImapConfig | None":
        """The mailbox the settings name, or None when none is configured (polling is off)."""
        if not settings.INBOUND_IMAP_HOST:
            return None
        if problems := config_problems():
            raise ImproperlyConfigured("Incoming e-mail by IMAP: " + " ".join(problems))
        security = settings.INBOUND_IMAP_SECURITY.lower()
        oauth2 = None
        if settings.INBOUND_IMAP_OAUTH2_TOKEN_URL:
            oauth2 = OAuth2Config(
                token_url=settings.INBOUND_IMAP_OAUTH2_TOKEN_URL,
                client_id=settings.INBOUND_IMAP_OAUTH2_CLIENT_ID,
                client_secret=settings.INBOUND_IMAP_OAUTH2_CLIENT_SECRET,
                refresh_token=settings.INBOUND_IMAP_OAUTH2_REFRESH_TOKEN,
                scope=settings.INBOUND_IMAP_OAUTH2_SCOPE,
            )
        return cls(
            host=settings.INBOUND_IMAP_HOST,
            port=settings.INBOUND_IMAP_PORT or (993 if security == "ssl" else 143),
            user=settings.INBOUND_IMAP_USER,
            password=settings.INBOUND_IMAP_PASSWORD,
            folder=settings.INBOUND_IMAP_FOLDER or "INBOX",
            security=security,
            done_folder=settings.INBOUND_IMAP_DONE_FOLDER,
            timeout=settings.INBOUND_IMAP_TIMEOUT_SECONDS,
            batch=max(1, settings.INBOUND_IMAP_BATCH),
            oauth2=oauth2,
        )


def config_problems() -> list[str]:
    """What is wrong with the INBOUND_IMAP_* settings, in words ([] when nothing is, or polling is off)."""
    if not settings.INBOUND_IMAP_HOST:
        return []
    problems = []
    if settings.INBOUND_IMAP_SECURITY.lower() not in SECURITIES:
        problems.append(f"INBOUND_IMAP_SECURITY must be one of {', '.join(SECURITIES)}.")
    if not settings.INBOUND_IMAP_USER:
        problems.append("INBOUND_IMAP_USER is needed (the mailbox's user name or address).")
    token_url = settings.INBOUND_IMAP_OAUTH2_TOKEN_URL
    if not token_url and not settings.INBOUND_IMAP_PASSWORD:
        problems.append("Set INBOUND_IMAP_PASSWORD, or INBOUND_IMAP_OAUTH2_TOKEN_URL for XOAUTH2.")
    if token_url:
        if not settings.INBOUND_IMAP_OAUTH2_CLIENT_ID:
            problems.append("XOAUTH2 needs INBOUND_IMAP_OAUTH2_CLIENT_ID.")
        if not settings.INBOUND_IMAP_OAUTH2_REFRESH_TOKEN and not (
            settings.INBOUND_IMAP_OAUTH2_CLIENT_SECRET and settings.INBOUND_IMAP_OAUTH2_SCOPE
        ):
            problems.append(
                "XOAUTH2 needs INBOUND_IMAP_OAUTH2_REFRESH_TOKEN, or (client credentials) "
                "INBOUND_IMAP_OAUTH2_CLIENT_SECRET and INBOUND_IMAP_OAUTH2_SCOPE."
            )
        parts = urllib.parse.urlsplit(token_url)
        if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(parts.hostname or "")):
            problems.append("INBOUND_IMAP_OAUTH2_TOKEN_URL must be https:// (http only on this machine).")
    return problems


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


# --- The mailbox ------------------------------------------------------------------------------


class Mailbox:
    """One signed-in connection with the folder to read selected."""

    def __init__(self, conn: imaplib.IMAP4, config: ImapConfig) -> None:
        self.conn = conn
        self.config = config

    def waiting(self) -> list[int]:
        """The UIDs of the messages to read, oldest first: the unread ones; with a done folder,
        every one still in the folder (anything read is moved away), so a message someone opened
        in a mail client is not passed over."""
        criteria = ["UNDELETED"] if self.config.done_folder else ["UNSEEN", "UNDELETED"]
        data = _ok(self.conn.uid("SEARCH", None, *criteria), "SEARCH")
        found = b" ".join(part for part in data if isinstance(part, bytes))
        return sorted({int(uid) for uid in found.split() if uid.isdigit()})

    def fetch(self, uids: list[int]) -> list[tuple[int, bytes]]:
        """Each message's bytes exactly as the server holds them (BODY.PEEK[]: not marked read),
        in the order asked; a message gone meanwhile is left out."""
        data = _ok(self.conn.uid("FETCH", _uid_set(uids), "(UID BODY.PEEK[])"), "FETCH")
        found: dict[int, bytes] = {}
        body_without_uid: bytes | None = None
        for part in data:
            if isinstance(part, tuple) and b"BODY[]" in part[0].upper():
                uid = _FETCHED_UID.search(part[0])
                if uid:
                    found[int(uid.group(1))] = part[1]
                else:  # some servers send the UID after the literal
                    body_without_uid = part[1]
            elif isinstance(part, bytes) and body_without_uid is not None:
                uid = _FETCHED_UID.search(part)
                if uid:
                    found[int(uid.group(1))] = body_without_uid
                body_without_uid = None
        return [(uid, found[uid]) for uid in uids if uid in found]

    def mark_done(self, uids: list[int]) -> None:
        """Mark the messages read, then, with a done folder, move them there (MOVE, or COPY,
        \\Deleted and an expunge of just these where the server has no MOVE)."""
        if not uids:
            return
        uid_set = _uid_set(uids)
        _ok(self.conn.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Seen)"), "STORE")
        if not self.config.done_folder:
            return
        done = mailbox_name(self.config.done_folder)
        if self.has("MOVE"):
            _ok(self.conn.uid("MOVE", uid_set, done), "MOVE")
            return
        _ok(self.conn.uid("COPY", uid_set, done), "COPY")
        _ok(self.conn.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
        if self.has("UIDPLUS"):
            _ok(self.conn.uid("EXPUNGE", uid_set), "EXPUNGE")
        else:  # without UIDPLUS an expunge takes every message marked deleted in the folder
            _ok(self.conn.expunge(), "EXPUNGE")

    def has(self, capability: str) -> bool:
        return capability.upper() in self.conn.capabilities


@contextmanager
def open_mailbox(config: ImapConfig) -> Iterator[Mailbox]:
    """A signed-in connection with the folder selected (and the done folder made, if missing);
    logged out at the end, whatever happened."""
    conn = _connect(config)
    try:
        _sign_in(conn, config)
        # The capabilities before sign-in are often fewer (no MOVE); ask again.
        capabilities = _ok(conn.capability(), "CAPABILITY")
        conn.capabilities = tuple(capabilities[-1].decode("ascii", "replace").upper().split())
        _ok(conn.select(mailbox_name(config.folder)), f"SELECT {config.folder}")
        if config.done_folder:
            conn.create(mailbox_name(config.done_folder))  # NO when it exists already: fine
        yield Mailbox(conn, config)
    finally:
        try:
            conn.logout()
        except Exception:  # the connection is gone already; make sure its socket is closed
            with suppress(Exception):
                conn.shutdown()


def _connect(config: ImapConfig) -> imaplib.IMAP4:
    """Connect within the timeout, which then bounds every read too."""
    if config.security == "ssl":
        return imaplib.IMAP4_SSL(
            config.host, config.port, ssl_context=ssl.create_default_context(), timeout=config.timeout
        )
    conn = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
    if config.security == "starttls":
        try:
            conn.starttls(ssl.create_default_context())
        except Exception:
            conn.shutdown()
            raise
    return conn


def _sign_in(conn: imaplib.IMAP4, config: ImapConfig) -> None:
    try:
        if config.oauth2 is None:
            if "AUTH=PLAIN" in conn.capabilities:  # carries any password in UTF-8, unlike LOGIN
                conn.authenticate("PLAIN", _sasl_plain(config.user, config.password))
            else:
                conn.login(config.user, config.password)
            return
        token = access_token(config.oauth2)
        try:
            conn.authenticate("XOAUTH2", xoauth2(config.user, token.value))
        except imaplib.IMAP4.error:
            if token.fresh:
                raise
            # A kept token the provider has withdrawn early: once more with a new one.
            forget_tokens()
            conn.authenticate("XOAUTH2", xoauth2(config.user, access_token(config.oauth2).value))
    except imaplib.IMAP4.error as exc:
        raise ImapAuthError(f"the server refused the sign-in of {config.user}: {_text(exc)}") from exc


def _sasl_plain(user: str, password: str) -> Callable[[bytes], bytes]:
    return lambda challenge: f"\0{user}\0{password}".encode()


def xoauth2(user: str, token: str) -> Callable[[bytes], bytes]:
    """The XOAUTH2 SASL exchange for imaplib: our one response, then, if the server answers with
    an error (a base64 JSON challenge), an empty line so it can say NO."""
    sent = False

    def respond(challenge: bytes) -> bytes:
        nonlocal sent
        if sent:
            logger.warning("IMAP XOAUTH2 refused: %s", challenge.decode("utf-8", "replace"))
            return b""
        sent = True
        return xoauth2_string(user, token)

    return respond


def xoauth2_string(user: str, token: str) -> bytes:
    """user={user}^Aauth=Bearer {token}^A^A (before the base64 that imaplib adds)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


def mailbox_name(name: str) -> str:
    """A folder name as an IMAP quoted string, in modified UTF-7 (RFC 3501 §5.1.3)."""
    encoded = _utf7_imap(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7_imap(name: str) -> str:
    out, pending = [], []

    def flush() -> None:
        if pending:
            utf16 = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(utf16).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _uid_set(uids: list[int]) -> str:
    return ",".join(str(uid) for uid in uids)


def _ok(response: tuple[str, list], command: str) -> list:
    status, data = response
    if status != "OK":
        raise ImapError(f"{command} answered {status}: {_text(data)}")
    return data


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(part) for part in value if part is not None)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# --- XOAUTH2 access tokens --------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    value: str
    fresh: bool  # just got from the endpoint (False: kept from earlier)


_tokens: dict[OAuth2Config, tuple[str, float]] = {}  # config -> (token, monotonic expiry)
_refresh_tokens: dict[OAuth2Config, str] = {}  # a refresh token the provider replaced
_tokens_lock = threading.Lock()


def access_token(config: OAuth2Config) -> Token:
    """A bearer token for the mailbox: the one kept, until shortly before it expires; else a new
    one from the token endpoint (the refresh-token grant when a refresh token is set, else the
    client-credentials grant)."""
    with _tokens_lock:
        kept = _tokens.get(config)
        if kept and time.monotonic() < kept[1]:
            return Token(kept[0], fresh=False)
        form = {"client_id": config.client_id}
        if config.client_secret:
            form["client_secret"] = config.client_secret
        if config.refresh_token:
            form["grant_type"] = "refresh_token"
            form["refresh_token"] = _refresh_tokens.get(config, config.refresh_token)
        else:
            form["grant_type"] = "client_credentials"
        if config.scope:
            form["scope"] = config.scope
        answer = _token_request(config.token_url, form)
        value = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(value, str) or not value:
            raise ImapAuthError("the token endpoint answered without an access_token")
        try:
            lifetime = float(answer.get("expires_in", TOKEN_DEFAULT_SECONDS))
        except (TypeError, ValueError):
            lifetime = TOKEN_DEFAULT_SECONDS
        _tokens[config] = (value, time.monotonic() + lifetime - TOKEN_RENEW_BEFORE_SECONDS)
        if config.refresh_token and isinstance(answer.get("refresh_token"), str):
            # Some providers hand out a new refresh token with each use; the newest is the one to
            # use next (the one in the environment stays as it is, for the next process).
            _refresh_tokens[config] = answer["refresh_token"]
        return Token(value, fresh=True)


def forget_tokens(*, refresh_tokens: bool = False) -> None:
    """Drop every access token kept (one was refused), and the refresh tokens that replaced the
    configured one (tests: a fresh start)."""
    with _tokens_lock:
        _tokens.clear()
        if refresh_tokens:
            _refresh_tokens.clear()


def _token_request(url: str, form: dict[str, str]) -> dict:
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.INBOUND_IMAP_TIMEOUT_SECONDS) as response:
            return json.loads(response.read(1_000_000))
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read(100_000))
            reason = f"{error.get('error', '')}: {error.get('error_description', '')}".strip(": ")
        except Exception:
            reason = ""
        raise ImapAuthError(f"the token endpoint refused ({exc.code}) {reason}".strip()) from exc
    except (OSError, ValueError) as exc:
        raise ImapError(f"the token endpoint could not be reached: {exc}") from exc
