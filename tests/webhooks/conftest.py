"""A real HTTP receiver on 127.0.0.1 that records what it is sent, and endpoints pointing at it."""

import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from webhooks import events, services


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status in `answers` (the last one once they run out)."""

    url: str
    answers: list[int] = field(default_factory=lambda: [200])
    delay: float = 0  # seconds before answering (a slow endpoint)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> int:
        with self.lock:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _serve(scheme: str = "http", host: str = "127.0.0.1", context: ssl.SSLContext | None = None):
    state: Receiver | None = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            with state.lock:
                state.requests.append(Received(self.path, headers, body))
            code = state.answer()
            time.sleep(state.delay)
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    state = Receiver(url=f"{scheme}://{host}:{server.server_address[1]}/hooks?source=desk")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from _serve()


@pytest.fixture
def certificate(tmp_path) -> Path:
    """A self-signed certificate for localhost (and its key beside it, key.pem)."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(tmp_path / "key.pem"),
         "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return tmp_path / "cert.pem"


@pytest.fixture
def https_receiver(certificate) -> Iterator[Receiver]:
    """The receiver over TLS at https://localhost:<port>/, with the self-signed certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, certificate.parent / "key.pem")
    yield from _serve("https", "localhost", context)


@pytest.fixture
def private_allowed(settings) -> None:
    """The local receiver is on loopback, which webhooks refuse unless this is set."""
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def endpoint_for(manager, private_allowed):
    def make(url: str, event_types: list[str] | None = None, **fields):
        return services.endpoint_create(
            by=manager,
            url=url,
            description=fields.pop("description", "Monitoring"),
            events=event_types or [choice for choice, _label in events.EVENT_CHOICES],
            **fields,
        )

    return make
