"""The IMAP door, against a real dovecot on 127.0.0.1 (tests/inbound/imapserver.py): each message
waiting is stored first, in its own committed row, and only then marked read or moved; a poll
repeated, a message delivered twice, or a worker that dies half-way never makes a second request.
Signing in with a password or with XOAUTH2 (a token from a local OAuth2 server that dovecot asks
about each token)."""

import logging
import os
import signal
import ssl
import subprocess
import sys
import threading
from datetime import timedelta
from email import policy
from email.message import EmailMessage

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.utils import timezone

from inbound import imap, services
from inbound.models import InboundEmail
from inbound.services import ImapPoll, inbound_imap_poll, inbound_sweep
from inbound.tasks import inbound_imap_poll_task
from notifications import publisher
from notifications.models import OutboundEmail
from tickets.models import Ticket

from ..accounts.factories import CustomerFactory
from ..tickets.factories import ServiceFactory
from ..waiting import wait_until
from ..workers import database_url
from .imapserver import DOVECOT, MAILBOX_PASSWORD, MAILBOX_USER, Dovecot, OAuthServer, free_port

SEEN = r"\Seen"
IMAP_SETTINGS = [f"INBOUND_IMAP_{name}" for name in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD")]


@pytest.fixture(scope="module")
def oauth_server():
    server = OAuthServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def dovecot(oauth_server):
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    server = Dovecot(oauth_server)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def mailbox(dovecot, oauth_server, settings, celery_worker) -> Dovecot:
    """An empty mailbox the settings point at, signed in to with its password; a real worker reads
    what a poll stores, and the test ends once it has (and sent what that queued), so no task is
    still at work while the database is emptied for the next test."""
    dovecot.empty()
    oauth_server.reset()
    imap.forget_tokens(refresh_tokens=True)
    settings.INBOUND_IMAP_HOST = "127.0.0.1"
    settings.INBOUND_IMAP_PORT = dovecot.port
    settings.INBOUND_IMAP_SECURITY = "none"
    settings.INBOUND_IMAP_USER = MAILBOX_USER
    settings.INBOUND_IMAP_PASSWORD = MAILBOX_PASSWORD
    settings.INBOUND_IMAP_FOLDER = "INBOX"
    settings.INBOUND_IMAP_DONE_FOLDER = ""
    settings.INBOUND_IMAP_TIMEOUT_SECONDS = 10
    yield dovecot
    imap.forget_tokens(refresh_tokens=True)
    publisher.drain()
    wait_until(
        lambda: (
            not InboundEmail.objects.filter(status=InboundEmail.Status.STORED).exists()
            and not OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).exists()
        ),
        message="the worker to finish what the test's polls handed it",
    )


@pytest.fixture
def oauth(mailbox, oauth_server, settings) -> OAuthServer:
    """The same mailbox, signed in to with XOAUTH2: no password, a token from the OAuth2 server."""
    settings.INBOUND_IMAP_PASSWORD = ""
    settings.INBOUND_IMAP_OAUTH2_TOKEN_URL = oauth_server.token_url
    settings.INBOUND_IMAP_OAUTH2_CLIENT_ID = OAuthServer.CLIENT_ID
    settings.INBOUND_IMAP_OAUTH2_CLIENT_SECRET = OAuthServer.CLIENT_SECRET
    settings.INBOUND_IMAP_OAUTH2_REFRESH_TOKEN = OAuthServer.REFRESH_TOKEN
    settings.INBOUND_IMAP_OAUTH2_SCOPE = ""
    return oauth_server


@pytest.fixture
def alice(transactional_db):
    ServiceFactory(name="Something else", slug="something-else")
    return CustomerFactory(username="alice", email="alice@example.com")


def _message(number: int, sender: str = "alice@example.com", subject: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = MAILBOX_USER
    message["Subject"] = subject or f"Request number {number}"
    message["Message-ID"] = f"<imap-test-{number}@mail.example.com>"
    message.set_content(f"Please help with thing {number}.")
    return message.as_bytes(policy=policy.SMTP)  # CRLF, as IMAP hands it back


def _flags(mailbox: Dovecot, folder: str = "INBOX") -> list[set[str]]:
    return [flags - {r"\Recent"} for flags, _ in mailbox.messages(folder)]


def test_a_poll_stores_each_message_as_received_then_marks_it_read_and_each_becomes_a_request(mailbox, alice):
    mailbox.deliver(b"From: someone@example.com\r\nSubject: read already\r\n\r\nold\r\n", flags=SEEN)
    mailbox.deliver(_message(1))
    mailbox.deliver(_message(2))

    poll = inbound_imap_poll()

    assert poll == ImapPoll(fetched=2, new=2, marked=2)
    stored = list(InboundEmail.objects.order_by("pk"))
    held = [raw for _, raw in mailbox.messages()]
    assert [bytes(row.raw) for row in stored] == held[1:]  # exactly as the server holds them
    assert {row.via for row in stored} == {InboundEmail.Via.IMAP}
    assert all(SEEN in flags for flags in _flags(mailbox))
    wait_until(lambda: Ticket.objects.count() == 2, message="a worker to read both messages into requests")
    assert set(Ticket.objects.values_list("title", flat=True)) == {"Request number 1", "Request number 2"}
    assert {row.status for row in InboundEmail.objects.all()} == {InboundEmail.Status.TICKET}


def test_a_poll_repeated_or_a_message_delivered_twice_makes_one_request(mailbox, alice):
    mailbox.deliver(_message(1))
    inbound_imap_poll()
    wait_until(lambda: Ticket.objects.count() == 1, message="the request")

    assert inbound_imap_poll() == ImapPoll()  # nothing waiting: it was marked
    # The same message again (delivered twice, or marked unread by someone in a mail client).
    mailbox.deliver(_message(1))
    conn = mailbox.client()
    conn.select("INBOX")
    conn.store("1", "-FLAGS", SEEN)
    conn.logout()

    assert inbound_imap_poll() == ImapPoll(fetched=2, new=0, marked=2)
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert all(SEEN in flags for flags in _flags(mailbox))


def test_a_message_is_marked_only_once_its_row_is_committed(mailbox, alice, monkeypatch):
    mailbox.deliver(_message(1))
    mailbox.deliver(_message(2))
    seen_elsewhere = []
    mark_done = imap.Mailbox.mark_done

    def mark_done_and_look(self, uids):
        # What another connection (another process) sees at the moment of marking.
        def look():
            seen_elsewhere.append(InboundEmail.objects.count())
            connection.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        assert SEEN not in _flags(mailbox)[0]
        mark_done(self, uids)

    monkeypatch.setattr(imap.Mailbox, "mark_done", mark_done_and_look)

    inbound_imap_poll()

    assert seen_elsewhere == [2]


def test_a_poll_inside_a_transaction_is_refused(mailbox):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="outside a transaction"):
        inbound_imap_poll()


@pytest.mark.parametrize("stage", ["fetched", "stored"])
def test_a_worker_killed_mid_poll_loses_nothing_and_the_next_poll_makes_no_second_request(
    mailbox, alice, stage
):
    """A real process, killed (SIGKILL) after fetching and before storing, or after storing and
    before marking: the message is still unread on the server, the lock died with the process,
    and the next poll stores it (or finds it stored) and marks it."""
    mailbox.deliver(_message(1))
    child = _poll_in_a_process_that_hangs_once(stage)
    try:
        assert child.stdout.readline().strip() == stage, "the child poll never got there"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=10)

    assert InboundEmail.objects.count() == (1 if stage == "stored" else 0)
    assert SEEN not in _flags(mailbox)[0]

    polls = []
    wait_until(lambda: polls.append(inbound_imap_poll()) or polls[-1] is not None, message="the lock")
    assert polls[-1] == ImapPoll(fetched=1, new=1 if stage == "fetched" else 0, marked=1)
    assert SEEN in _flags(mailbox)[0]
    # The task that would have read it may have died with the process: the sweep, a minute on.
    inbound_sweep(now=timezone.now() + timedelta(minutes=2))
    wait_until(lambda: Ticket.objects.count() == 1, message="the request")
    assert InboundEmail.objects.count() == 1


def _poll_in_a_process_that_hangs_once(stage: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test",
        "DATABASE_URL": (
            database_url()
            if connection.vendor == "postgresql"
            else f"sqlite:///{connection.settings_dict['NAME']}"
        ),
        **{name: str(getattr(django_settings, name)) for name in IMAP_SETTINGS},
    }
    script = f"""
import time, django
django.setup()
from inbound import imap, services

def hang(*args, **kwargs):
    print({stage!r}, flush=True)
    time.sleep(120)

if {stage!r} == "fetched":
    services.inbound_store = hang
else:
    imap.Mailbox.mark_done = hang
services.inbound_imap_poll()
"""
    return subprocess.Popen(
        [sys.executable, "-c", script],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_with_a_done_folder_each_message_stored_moves_there_read_or_not(mailbox, settings):
    settings.INBOUND_IMAP_DONE_FOLDER = "Übernommen"  # made on first use, in modified UTF-7
    mailbox.deliver(_message(1))
    mailbox.deliver(_message(2), flags=SEEN)  # opened by someone in a mail client: still taken

    assert inbound_imap_poll() == ImapPoll(fetched=2, new=2, marked=2)

    assert mailbox.messages("INBOX") == []
    assert "&ANw-bernommen" in mailbox.folders()
    assert _flags(mailbox, "&ANw-bernommen") == [{SEEN}, {SEEN}]
    assert inbound_imap_poll() == ImapPoll()


def test_without_move_a_message_is_copied_then_only_ours_are_expunged(mailbox, settings, monkeypatch):
    settings.INBOUND_IMAP_DONE_FOLDER = "Done"
    has = imap.Mailbox.has
    monkeypatch.setattr(imap.Mailbox, "has", lambda self, name: name != "MOVE" and has(self, name))
    mailbox.deliver(_message(1))
    mailbox.deliver(_message(2), flags=r"\Deleted")  # someone else's, waiting for their expunge

    assert inbound_imap_poll() == ImapPoll(fetched=1, new=1, marked=1)

    assert _flags(mailbox, "INBOX") == [{r"\Deleted"}]
    assert _flags(mailbox, "Done") == [{SEEN}]


def test_a_message_that_cannot_be_read_is_kept_as_failed_and_still_marked(mailbox, alice, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the parser met something new")

    monkeypatch.setattr(services.mailparse, "parse", broken)
    mailbox.deliver(_message(1))

    assert inbound_imap_poll() == ImapPoll(fetched=1, new=1, marked=1)

    inbound = InboundEmail.objects.get()
    wait_until(
        lambda: InboundEmail.objects.get().status == InboundEmail.Status.FAILED, message="the failed read"
    )
    inbound.refresh_from_db()
    assert inbound.error == "ValueError: the parser met something new"
    assert bytes(inbound.raw) == mailbox.messages()[0][1]
    assert SEEN in _flags(mailbox)[0]


def test_a_message_that_is_not_mail_at_all_is_stored_and_marked(mailbox, alice):
    mailbox.deliver(b"\x00\xff\xfe not a header\r\n\r\n\xff\xff")

    assert inbound_imap_poll() == ImapPoll(fetched=1, new=1, marked=1)
    assert InboundEmail.objects.get().message_key.startswith("sha256:")
    assert SEEN in _flags(mailbox)[0]


def test_a_poll_fetches_in_batches_and_leaves_the_rest_when_its_time_is_up(mailbox, settings):
    settings.INBOUND_IMAP_BATCH = 2
    settings.INBOUND_IMAP_POLL_SECONDS = 0  # one batch a poll
    for number in range(5):
        mailbox.deliver(_message(number))

    assert [inbound_imap_poll().new for _ in range(4)] == [2, 2, 1, 0]
    assert InboundEmail.objects.count() == 5
    assert all(SEEN in flags for flags in _flags(mailbox))


def test_one_poll_at_a_time(mailbox):
    mailbox.deliver(_message(1))
    holding, release = threading.Event(), threading.Event()

    def another_poll():
        with services._imap_poll_lock() as held:
            assert held
            holding.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=another_poll)
    thread.start()
    try:
        assert holding.wait(10)
        assert inbound_imap_poll() is None
        assert not InboundEmail.objects.exists()
        assert SEEN not in _flags(mailbox)[0]
    finally:
        release.set()
        thread.join()

    assert inbound_imap_poll() == ImapPoll(fetched=1, new=1, marked=1)


def test_no_mailbox_configured_means_no_polling(settings, caplog):
    settings.INBOUND_IMAP_HOST = ""

    with caplog.at_level(logging.DEBUG, logger="inbound.services"):
        assert inbound_imap_poll() is None
        assert inbound_imap_poll_task() is None

    assert "No IMAP mailbox configured" in caplog.text


def test_the_beat_task_polls(mailbox):
    mailbox.deliver(_message(1))

    assert inbound_imap_poll_task() == {"fetched": 1, "new": 1, "marked": 1, "error": ""}


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_from_the_start_or_by_starttls_with_the_certificate_checked(
    mailbox, settings, monkeypatch, security
):
    settings.INBOUND_IMAP_SECURITY = security
    settings.INBOUND_IMAP_PORT = mailbox.tls_port if security == "ssl" else mailbox.port
    mailbox.deliver(_message(1))
    # The test server's self-signed certificate is the one authority trusted (not the system's).
    create_default_context = ssl.create_default_context
    monkeypatch.setattr(
        imap.ssl, "create_default_context", lambda: create_default_context(cafile=mailbox.certificate)
    )

    assert inbound_imap_poll() == ImapPoll(fetched=1, new=1, marked=1)
    logins = [line for line in mailbox.log().splitlines() if f"Login: user=<{MAILBOX_USER}>" in line]
    assert ", TLS," in logins[-1]


def test_a_certificate_nobody_vouches_for_is_refused(mailbox, settings):
    settings.INBOUND_IMAP_SECURITY = "ssl"
    settings.INBOUND_IMAP_PORT = mailbox.tls_port
    mailbox.deliver(_message(1))

    poll = inbound_imap_poll()

    assert poll.error.startswith("SSLCertVerificationError")
    assert not InboundEmail.objects.exists()


def test_a_wrong_password_is_logged_and_nothing_is_touched(mailbox, settings, caplog):
    settings.INBOUND_IMAP_PASSWORD = "not-the-password"
    mailbox.deliver(_message(1))

    with caplog.at_level(logging.ERROR, logger="inbound.services"):
        poll = inbound_imap_poll()

    assert "refused the sign-in of helpdesk@example.com" in poll.error
    assert poll.error in caplog.text
    assert not InboundEmail.objects.exists()
    assert SEEN not in _flags(mailbox)[0]


def test_a_server_that_does_not_answer_ends_the_poll_with_a_warning(mailbox, settings):
    settings.INBOUND_IMAP_PORT = free_port()  # nothing listens there

    poll = inbound_imap_poll()

    assert poll.error.startswith("ConnectionRefusedError")
    assert inbound_imap_poll() is not None  # the lock was let go


# --- XOAUTH2 -------------------------------------------------------------------------------------


def test_xoauth2_with_a_refresh_token_signs_in_and_keeps_the_token_until_shortly_before_it_expires(
    oauth, mailbox, settings
):
    mailbox.deliver(_message(1))

    assert inbound_imap_poll() == ImapPoll(fetched=1, new=1, marked=1)
    assert inbound_imap_poll() == ImapPoll()  # the same token, kept

    assert oauth.grants == [
        {
            "grant_type": "refresh_token",
            "refresh_token": OAuthServer.REFRESH_TOKEN,
            "client_id": OAuthServer.CLIENT_ID,
            "client_secret": OAuthServer.CLIENT_SECRET,
        }
    ]
    assert SEEN in _flags(mailbox)[0]
    assert "method=XOAUTH2" in mailbox.log()


def test_a_token_about_to_expire_is_renewed_and_a_replaced_refresh_token_is_used_next(oauth, mailbox):
    oauth.lifetime = 30  # inside the minute before expiry in which a token is renewed
    oauth.next_refresh_token = "refresh-token-2"  # the provider hands out a new refresh token

    for _ in range(3):
        assert inbound_imap_poll().error == ""

    assert [grant["refresh_token"] for grant in oauth.grants] == [
        OAuthServer.REFRESH_TOKEN,
        "refresh-token-2",
        "refresh-token-2",
    ]


def test_a_kept_token_withdrawn_by_the_provider_is_replaced_at_once(oauth, mailbox):
    assert inbound_imap_poll().error == ""
    oauth.revoke_all()  # e.g. the password changed, or an admin revoked the app's sessions
    mailbox.deliver(_message(1))

    assert inbound_imap_poll() == ImapPoll(fetched=1, new=1, marked=1)
    assert len(oauth.grants) == 2


def test_xoauth2_with_client_credentials_asks_for_the_scope(oauth, mailbox, settings):
    settings.INBOUND_IMAP_OAUTH2_REFRESH_TOKEN = ""
    settings.INBOUND_IMAP_OAUTH2_SCOPE = OAuthServer.SCOPE
    mailbox.deliver(_message(1))

    assert inbound_imap_poll() == ImapPoll(fetched=1, new=1, marked=1)

    assert oauth.grants == [
        {
            "grant_type": "client_credentials",
            "client_id": OAuthServer.CLIENT_ID,
            "client_secret": OAuthServer.CLIENT_SECRET,
            "scope": OAuthServer.SCOPE,
        }
    ]


def test_a_token_endpoint_that_refuses_stops_the_poll_with_its_reason(oauth, mailbox, caplog):
    oauth.refuse = "invalid_grant"  # e.g. the refresh token expired or was revoked
    mailbox.deliver(_message(1))

    with caplog.at_level(logging.ERROR, logger="inbound.services"):
        poll = inbound_imap_poll()

    assert poll.error == "the token endpoint refused (400) invalid_grant: Refused by the test server."
    assert poll.error in caplog.text
    assert not InboundEmail.objects.exists()
    assert SEEN not in _flags(mailbox)[0]


def test_a_token_dovecot_does_not_accept_is_a_refused_sign_in(oauth, mailbox, monkeypatch):
    monkeypatch.setattr(
        imap, "access_token", lambda config: imap.Token("made-up", fresh=True)
    )  # not one the OAuth2 server issued

    poll = inbound_imap_poll()

    assert "refused the sign-in" in poll.error


def test_xoauth2_string_is_what_the_providers_document():
    assert imap.xoauth2_string("desk@example.com", "ya29.token") == (
        b"user=desk@example.com\x01auth=Bearer ya29.token\x01\x01"
    )


@pytest.mark.parametrize(
    "name, encoded",
    [("INBOX", '"INBOX"'), ("Entwürfe", '"Entw&APw-rfe"'), ("R&D", '"R&-D"'), ('Say "hi"', r'"Say \"hi\""')],
)
def test_folder_names_are_quoted_in_modified_utf7(name, encoded):
    assert imap.mailbox_name(name) == encoded


def test_settings_that_cannot_work_are_named_by_the_system_check(settings):
    settings.INBOUND_IMAP_HOST = "imap.example.com"
    settings.INBOUND_IMAP_SECURITY = "tls"
    settings.INBOUND_IMAP_USER = ""
    settings.INBOUND_IMAP_PASSWORD = ""
    settings.INBOUND_IMAP_OAUTH2_TOKEN_URL = "http://login.example.com/token"
    settings.INBOUND_IMAP_OAUTH2_CLIENT_ID = "app"
    settings.INBOUND_IMAP_OAUTH2_CLIENT_SECRET = ""
    settings.INBOUND_IMAP_OAUTH2_REFRESH_TOKEN = ""

    problems = imap.config_problems()

    assert problems == [
        "INBOUND_IMAP_SECURITY must be one of ssl, starttls, none.",
        "INBOUND_IMAP_USER is needed (the mailbox's user name or address).",
        "XOAUTH2 needs INBOUND_IMAP_OAUTH2_REFRESH_TOKEN, or (client credentials) "
        "INBOUND_IMAP_OAUTH2_CLIENT_SECRET and INBOUND_IMAP_OAUTH2_SCOPE.",
        "INBOUND_IMAP_OAUTH2_TOKEN_URL must be https:// (http only on this machine).",
    ]
    with pytest.raises(SystemCheckError, match=r"inbound\.W001"):
        call_command("check", "--fail-level", "WARNING")
