"""A real IMAP server for the tests: Debian's dovecot, started as an unprivileged process with its
own configuration, maildir and logs in a temporary folder, on a free port of 127.0.0.1; and a
small OAuth2 server (token endpoint and token introspection) that dovecot's oauth2 passdb asks
about the bearer tokens our XOAUTH2 sign-in presents.

Written for dovecot 2.3 (Debian 12); 2.4 changed the configuration's syntax.
"""

import grp
import imaplib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

DOVECOT = shutil.which("dovecot") or next(
    (path for path in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(path, os.X_OK)), None
)
MAILBOX_USER = "helpdesk@example.com"
MAILBOX_PASSWORD = "pässwörd-for-the-desk"  # not ASCII: it must go through AUTHENTICATE PLAIN


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OAuthServer:
    """A token endpoint (refresh-token and client-credentials grants) and an RFC 7662
    introspection endpoint, on 127.0.0.1; it remembers every grant asked for."""

    CLIENT_ID = "desk-app"
    CLIENT_SECRET = "desk-app-secret"
    REFRESH_TOKEN = "refresh-token-1"
    SCOPE = "https://imap.example.test/.default"

    def __init__(self) -> None:
        self.grants: list[dict[str, str]] = []
        self.tokens: dict[str, float] = {}  # access token -> expiry (time.time())
        self.lifetime = 3600
        self.refuse: str = ""  # set: the token endpoint answers 400 with this error
        self.next_refresh_token = ""  # set: handed out with the next refresh-token grant
        self.refresh_tokens = {self.REFRESH_TOKEN}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self.token_url = f"http://127.0.0.1:{self.port}/token"
        self.introspection_url = f"http://127.0.0.1:{self.port}/introspect"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "OAuthServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        self.grants.clear()
        self.tokens.clear()
        self.lifetime, self.refuse, self.next_refresh_token = 3600, "", ""
        self.refresh_tokens = {self.REFRESH_TOKEN}

    def revoke_all(self) -> None:
        self.tokens.clear()

    def _token(self, form: dict[str, str]) -> tuple[int, dict]:
        self.grants.append(form)
        if self.refuse:
            return 400, {"error": self.refuse, "error_description": "Refused by the test server."}
        if (form.get("client_id"), form.get("client_secret")) != (self.CLIENT_ID, self.CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        answer = {}
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return 400, {"error": "invalid_grant"}
            if self.next_refresh_token:
                answer["refresh_token"] = self.next_refresh_token
                self.refresh_tokens = {self.next_refresh_token}
                self.next_refresh_token = ""
        elif form.get("grant_type") == "client_credentials":
            if form.get("scope") != self.SCOPE:
                return 400, {"error": "invalid_scope"}
        else:
            return 400, {"error": "unsupported_grant_type"}
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.time() + self.lifetime
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime, **answer}

    def _introspect(self, form: dict[str, str]) -> tuple[int, dict]:
        expiry = self.tokens.get(form.get("token", ""))
        if expiry is None or expiry < time.time():
            return 200, {"active": False}
        return 200, {"active": True, "email": MAILBOX_USER}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = {key: values[0] for key, values in parse_qs(body).items()}
                route = {"/token": server._token, "/introspect": server._introspect}.get(self.path)
                status, answer = route(form) if route else (404, {"error": "not found"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        return Handler


class Dovecot:
    """dovecot -F -c CONFIG as a child process: passwd-file sign-in with a password, oauth2
    sign-in (XOAUTH2, OAUTHBEARER) checked against `oauth`, one maildir, 127.0.0.1 only; IMAP on
    `port` (plain, or STARTTLS) and IMAPS on `tls_port`, with a self-signed certificate for
    127.0.0.1 (`certificate`). Run as `nobody` when the tests run as root (as in CI), else as
    whoever runs them."""

    def __init__(self, oauth: OAuthServer) -> None:
        self.oauth = oauth
        self.port = free_port()
        self.tls_port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="servicedesk-dovecot-"))
        self.certificate = self.dir / "cert.pem"
        self.process: subprocess.Popen | None = None
        self._stderr = None

    def start(self) -> "Dovecot":
        account = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        uid, gid = account.pw_uid, account.pw_gid
        config = self._write_config(account.pw_name, uid, gid)
        if os.geteuid() == 0:
            self.dir.chmod(0o755)
            for path in [self.dir, *self.dir.rglob("*")]:
                os.chown(path, uid, gid)
        drop = {"user": uid, "group": gid, "extra_groups": []} if os.geteuid() == 0 else {}
        self._stderr = open(self.dir / "stderr.log", "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            start_new_session=True,
            **drop,
        )
        self._wait_until_it_answers()
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # the master stops its children
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._stderr:
            self._stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self) -> str:
        return "\n".join(
            path.read_text(errors="replace") for path in (self.dir / "dovecot.log", self.dir / "stderr.log")
            if path.exists()
        )  # fmt: skip

    # --- what a test does to the mailbox, as another mail client would ---------------------------

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.authenticate("PLAIN", lambda _: f"\0{MAILBOX_USER}\0{MAILBOX_PASSWORD}".encode())
        return conn

    def deliver(self, raw: bytes, folder: str = "INBOX", flags: str = "") -> None:
        """Put a message into the mailbox (IMAP APPEND), as the mail server's delivery would."""
        conn = self.client()
        try:
            status, data = conn.append(folder, f"({flags})" if flags else None, None, raw)
            assert status == "OK", data
        finally:
            conn.logout()

    def messages(self, folder: str = "INBOX") -> list[tuple[set[str], bytes]]:
        """(flags, bytes) of each message in the folder, oldest first, without marking any read."""
        conn = self.client()
        try:
            status, data = conn.select(folder, readonly=True)
            if status != "OK":
                return []
            status, data = conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            found = []
            for part in data:
                if isinstance(part, tuple):
                    flags = part[0].split(b"FLAGS (", 1)[1].split(b")", 1)[0].decode()
                    found.append((set(flags.split()), part[1]))
            return found
        finally:
            conn.logout()

    def folders(self) -> set[str]:
        conn = self.client()
        try:
            _, data = conn.list()
            return {line.decode().rsplit(' "." ', 1)[1].strip('"') for line in data if line}
        finally:
            conn.logout()

    def empty(self) -> None:
        """No message in any folder, and no folder but INBOX."""
        conn = self.client()
        try:
            for folder in self.folders():
                _, count = conn.select(f'"{folder}"')
                if int(count[0]):
                    conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                    conn.expunge()
                conn.unselect()
                if folder != "INBOX":
                    conn.delete(f'"{folder}"')
        finally:
            conn.logout()

    # --- set-up ---------------------------------------------------------------------------------

    def _write_config(self, user: str, uid: int, gid: int) -> Path:
        group = grp.getgrgid(gid).gr_name
        (self.dir / "run").mkdir()
        (self.dir / "state").mkdir()
        (self.dir / "mail").mkdir()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(self.dir / "key.pem"), "-out", str(self.certificate)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        (self.dir / "users").write_text(f"{MAILBOX_USER}:{{PLAIN}}{MAILBOX_PASSWORD}::::::\n")
        (self.dir / "oauth2.conf").write_text(
            "introspection_mode = post\n"
            f"introspection_url = {self.oauth.introspection_url}\n"
            "force_introspection = yes\n"
            "username_attribute = email\n"
            "active_attribute = active\n"
            "active_value = true\n"
        )
        config = self.dir / "dovecot.conf"
        config.write_text(f"""
base_dir = {self.dir}/run
state_dir = {self.dir}/state
instance_name = servicedesk-test-{self.port}
log_path = {self.dir}/dovecot.log
info_log_path = {self.dir}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <{self.certificate}
ssl_key = <{self.dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{self.dir}/mail/%u
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {self.dir}/users
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {self.dir}/oauth2.conf
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.dir}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No growing delay for a client that failed to sign in before: the tests do it on purpose.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""")
        return config

    def _wait_until_it_answers(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited ({self.process.returncode}):\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    if conn.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        log = self.log()
        self.stop()
        raise RuntimeError(f"dovecot did not answer on 127.0.0.1:{self.port} within {timeout}s:\n{log}")
