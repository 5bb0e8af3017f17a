"""What every fault script is made of: its own servers (Redis, a Postgres cluster, an SMTP sink),
the app (gunicorn with production settings, a prefork Celery worker in its own process group,
beat) as subprocesses, traffic over HTTP, and the counting that ends in a verdict.

Everything a run starts is registered with its Run and torn down when the run ends, however it
ends (an exception, Ctrl-C, SIGTERM, the run's time limit): process groups are killed, the
Postgres cluster stopped, the temporary directory removed. Nothing here ever touches the
machine's shared Postgres or Redis servers beyond creating and dropping a database of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import http.client
import http.cookiejar
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# Each run binds its servers to a loopback address of its own (127.0.0.2 to 127.0.0.254, drawn
# from the process id), so that while one run's server is down (Redis stopped, the mail server
# refusing) another run on the machine cannot take its port and receive its traffic.
HOST = f"127.0.0.{random.Random(os.getpid()).randint(2, 254)}"
# Port ranges of this work (see README.md): each component takes the first free one.
REDIS_PORTS = range(6391, 6400)
POSTGRES_PORTS = range(5441, 5450)
SMTP_PORTS = range(2525, 2536)
WEB_PORTS = range(8101, 8120)


class RunTimeExceeded(Exception):
    """The run went past its time limit."""


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port(ports: Iterable[int]) -> int:
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.2) -> float:
    """Poll until condition() is true; returns the seconds it took; TimeoutError naming `what`."""
    started = time.monotonic()
    while True:
        try:
            if condition():
                return time.monotonic() - started
        except Exception:  # a server still starting refuses; that is what we wait out
            pass
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(interval)


# --- A run and its processes ------------------------------------------------------------------


class Proc:
    """A subprocess in a process group of its own, its output in a log file of the run."""

    def __init__(
        self, run: Run, name: str, argv: list[str], *, env: dict | None = None, user: str = ""
    ) -> None:
        self.name, self.log_path = name, run.tmp / f"{name}.log"
        if user and os.geteuid() == 0:
            argv = ["runuser", "-u", user, "--", *argv]
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.popen = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.pid = self.popen.pid
        run.processes.append(self)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to the group (after SIGCONT, in case it was frozen), SIGKILL if it lingers."""
        if self.alive():
            self.signal_group(signal.SIGCONT)
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        self.signal_group(signal.SIGKILL)  # children left behind by a leader that exited
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)
        self.log.close()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern: str, *, timeout: float, after: int = 0) -> None:
        """Wait until the log (from byte `after`) matches the regular expression `pattern`."""
        regex = re.compile(pattern)

        def seen() -> bool:
            if not self.alive():
                raise RuntimeError(
                    f"{self.name} exited ({self.popen.returncode}):\n{self.log_text()[-3000:]}"
                )
            return bool(regex.search(self.log_text()[after:]))

        wait_for(seen, timeout=timeout, what=f"{self.name} to log {pattern!r}")


class Run:
    """One fault run: a temporary directory, every process started, a time limit, clean-up.

    Use as a context manager. SIGINT and SIGTERM end the run through KeyboardInterrupt, and the
    time limit through RunTimeExceeded, both in the main thread, so the clean-up always runs.
    """

    def __init__(self, name: str, *, limit_seconds: float, keep: bool = False) -> None:
        self.name, self.limit, self.keep = name, limit_seconds, keep
        self.processes: list[Proc] = []
        self._cleanups: list[Callable[[], None]] = []
        self.started = time.monotonic()

    def __enter__(self) -> Run:
        self.tmp = Path(tempfile.mkdtemp(prefix=f"servicedesk-faults-{self.name}-"))
        self.tmp.chmod(0o755)  # the Postgres cluster's own user reads below it
        self._previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._interrupted)
            self._previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, self._overran)
            signal.setitimer(signal.ITIMER_REAL, self.limit)
        return self

    def _interrupted(self, signum, frame) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    def _overran(self, signum, frame) -> None:
        raise RunTimeExceeded(f"the run took longer than its limit of {self.limit:g} s")

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def on_exit(self, cleanup: Callable[[], None]) -> None:
        self._cleanups.append(cleanup)

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._previous:
            signal.setitimer(signal.ITIMER_REAL, 0)
            # Clean-up must not be interrupted by a second Ctrl-C halfway.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            for proc in self.processes:  # all asked to stop at once, then waited for one by one
                if proc.alive():
                    proc.signal_group(signal.SIGCONT)
                    proc.signal_group(signal.SIGTERM)
            for proc in reversed(self.processes):
                try:
                    proc.stop()
                except Exception as error:
                    say(f"(clean-up: {proc.name}: {error})")
            for cleanup in reversed(self._cleanups):
                try:
                    cleanup()
                except Exception as error:
                    say(f"(clean-up: {error})")
            if exc is not None and self.keep:
                say(f"(logs kept in {self.tmp})")
            elif exc is not None:
                self.print_log_tails()
            if not self.keep:
                shutil.rmtree(self.tmp, ignore_errors=True)
        finally:
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)

    def print_log_tails(self, lines: int = 15) -> None:
        for proc in self.processes:
            tail = proc.log_text().splitlines()[-lines:]
            if tail:
                say(f"--- last lines of {proc.name}.log")
                for line in tail:
                    say(f"    {line[:300]}")


# --- Redis ------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the run's own, without persistence: a restart comes back empty, as a
    Redis that lost its memory does (queued tasks and the cache gone)."""

    def __init__(self, run: Run, port: int | None = None) -> None:
        self.run, self.port = run, port or free_port(REDIS_PORTS)
        self.url = f"redis://{HOST}:{self.port}/0"
        self.proc: Proc | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.proc = Proc(
            self.run,
            f"redis-{self.starts}",
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.run.tmp),
            ],
        )
        wait_for(self.ping, timeout=15, what="redis-server to answer")

    def ping(self) -> bool:
        client = redis.Redis(host=HOST, port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.stop()

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel does it), nothing answers."""
        assert self.proc is not None
        self.proc.signal_group(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        self.proc.signal_group(signal.SIGCONT)


# --- Postgres ---------------------------------------------------------------------------------


def _postgres_bin(name: str) -> str:
    for candidate in [
        Path("/usr/local/bin") / name,
        *sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}")),
    ]:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found (PostgreSQL server binaries are needed)")
    return found


class PostgresCluster:
    """A Postgres cluster of the run's own (initdb in the run's directory), started with pg_ctl.
    Durability is off (fsync, synchronous_commit): nothing here survives the run anyway."""

    def __init__(self, run: Run, port: int | None = None) -> None:
        self.run, self.port = run, port or free_port(POSTGRES_PORTS)
        self.data = run.tmp / "pgdata"
        self.user = "postgres" if os.geteuid() == 0 else ""  # initdb refuses to run as root
        self.url = f"postgres://postgres@{HOST}:{self.port}/servicedesk"
        self.started = False

    def _pg(self, argv: list[str], timeout: float = 60) -> None:
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd="/")
        if result.returncode:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")

    def create(self) -> None:
        self.data.mkdir()
        if self.user:
            shutil.chown(self.data, self.user, self.user)
        self._pg(
            [
                _postgres_bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        )
        self.run.on_exit(self.discard)
        self.start()
        connection = psycopg2.connect(host=HOST, port=self.port, user="postgres", dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("CREATE DATABASE servicedesk")
        connection.close()

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses={HOST} -c unix_socket_directories={self.data} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._pg(
            [
                _postgres_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.data / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        self.started = True

    def stop(self, mode: str = "fast") -> None:
        """pg_ctl stop: `fast` (what a service manager does) ends every session and shuts down."""
        self._pg([_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"])
        self.started = False

    def discard(self) -> None:
        if self.started:
            with contextlib.suppress(Exception):
                self.stop("immediate")


class ScratchDatabase:
    """A database of the run's own on an existing server (the test suite's), dropped at the end.
    `name` given (a test's, derived from its test database so that pytest-xdist's processes never
    share it): one left behind by a run that was killed is dropped first."""

    def __init__(self, run: Run, server_url: str, *, name: str = "") -> None:
        parts = urllib.parse.urlsplit(server_url)
        self.name = name or f"faults_{os.getpid()}_{secrets.token_hex(3)}"
        self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))
        self._admin = {
            "host": parts.hostname,
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password or None,
            "dbname": "postgres",
        }
        self.run = run

    def create(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.name}"')
        self.run.on_exit(lambda: self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    def _execute(self, sql: str) -> None:
        connection = psycopg2.connect(**self._admin)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()


# --- The SMTP sink ----------------------------------------------------------------------------


@dataclass
class Received:
    at: float  # time.monotonic()
    to: str
    message_id: str


class SmtpSink:
    """A mail server that records every message's To and Message-ID, and can be told to
    `accept`, `refuse` (nothing listens: connections are refused) or `hang` (connections are
    accepted and never answered, as a wedged server does). `delay` slows each message down."""

    def __init__(self, port: int | None = None, *, delay: float = 0.0) -> None:
        self.port = port or free_port(SMTP_PORTS)
        self.delay = delay
        self.received: list[Received] = []
        self.mode = "off"
        self._lock = threading.Lock()
        self._controller = None
        self._hang_socket: socket.socket | None = None
        self._hung: list[socket.socket] = []
        self.hung_connections = 0

    def set_mode(self, mode: str) -> None:
        assert mode in {"accept", "refuse", "hang"}
        self._stop_current()
        if mode == "accept":
            from aiosmtpd.controller import Controller

            self._controller = Controller(_SinkHandler(self), hostname=HOST, port=self.port)
            self._controller.start()
        elif mode == "hang":
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((HOST, self.port))
            listener.listen(128)
            self._hang_socket = listener
            threading.Thread(target=self._hold_connections, args=(listener,), daemon=True).start()
        self.mode = mode

    def _hold_connections(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            with self._lock:
                self._hung.append(connection)
                self.hung_connections += 1

    def _stop_current(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._hang_socket is not None:
            # shutdown() wakes the thread blocked in accept(), which would keep the port bound.
            for held in [self._hang_socket, *self._hung]:
                with contextlib.suppress(OSError):
                    held.shutdown(socket.SHUT_RDWR)
                held.close()
            self._hang_socket = None
            with self._lock:
                self._hung.clear()
        self.mode = "off"

    def close(self) -> None:
        self._stop_current()

    def record(self, to: str, message_id: str) -> None:
        with self._lock:
            self.received.append(Received(time.monotonic(), to, message_id))

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)


class _SinkHandler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        message = email.message_from_bytes(envelope.content)
        self.sink.record(str(message.get("To", "")), str(message.get("Message-ID", "")))
        return "250 Message accepted for delivery"


# --- The app ----------------------------------------------------------------------------------


class App:
    """The servicedesk under test, with production settings (or `settings` given), against the
    run's database, Redis and SMTP sink."""

    def __init__(
        self,
        run: Run,
        *,
        database_url: str,
        redis_url: str,
        smtp_port: int,
        settings: str = "servicedesk.settings.production",
        web_port: int | None = None,
    ) -> None:
        self.run = run
        self.web_port = web_port or free_port(WEB_PORTS)
        self.base_url = f"http://{HOST}:{self.web_port}"
        self.database_url = database_url
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))},
            "DJANGO_SETTINGS_MODULE": settings,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_HTTPS": "false",  # plain HTTP on the loopback, as docker-compose's local trial
            "SITE_URL": self.base_url,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://{HOST}:{smtp_port}",
            "DEFAULT_FROM_EMAIL": "IT Service Desk <servicedesk@faults.example>",
            "LOG_LEVEL": "INFO",
            "SERVICEDESK_VAR_DIR": str(run.tmp / "var"),
            "MEDIA_ROOT": str(run.tmp / "media"),
            "PYTHONUNBUFFERED": "1",
        }
        self.workers: list[Proc] = []
        self.beats: list[Proc] = []
        self.web: Proc | None = None

    def manage(self, *args: str, timeout: float = 180) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def python(self, module: str, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [PYTHON, "-m", module, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise RuntimeError(f"{module} {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def prepare(self) -> None:
        """Migrate, and collect the static files once (production serves them from a manifest)."""
        self.manage("migrate", "--noinput")
        manifest = ROOT / "staticfiles" / "staticfiles.json"
        newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
        if not manifest.exists() or manifest.stat().st_mtime < newest:
            self.manage("collectstatic", "--noinput")

    def seed(self, **counts: int) -> dict:
        out = self.run.tmp / "seed.json"
        args = [f"--{name}={value}" for name, value in counts.items()]
        self.python("bench.faults.seed", str(out), *args)
        return json.loads(out.read_text())

    def burst(self, count: int, tag: str, *, publish: bool = True) -> None:
        self.python(
            "bench.faults.burst", f"--count={count}", f"--tag={tag}", *([] if publish else ["--no-publish"])
        )

    def start_web(self, workers: int = 3) -> None:
        # As the Dockerfile runs it: gunicorn's sync workers, three of them.
        self.web = Proc(
            self.run,
            "gunicorn",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "servicedesk.wsgi",
                "--bind",
                f"{HOST}:{self.web_port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
            ],
            env=self.env,
        )
        wait_for(
            lambda: http_get(self.base_url + "/healthz", timeout=2)[0] == 200, timeout=60, what="gunicorn"
        )

    def start_worker(self, concurrency: int = 2) -> Proc:
        """A prefork worker, as docker-compose runs it, in its own process group."""
        number = len(self.workers) + 1
        worker = Proc(
            self.run,
            f"worker-{number}",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "servicedesk",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "--pool=prefork",
                f"--hostname=faults-{number}@%h",
            ],
            env=self.env,
        )
        worker.wait_log(r"ready\.", timeout=90)
        self.workers.append(worker)
        return worker

    def start_beat(self) -> Proc:
        number = len(self.beats) + 1
        beat = Proc(
            self.run,
            f"beat-{number}",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "servicedesk",
                "beat",
                "--loglevel=INFO",
                f"--schedule={self.run.tmp / f'beat-{number}-schedule'}",
            ],
            env=self.env,
        )
        beat.wait_log(r"beat: Starting", timeout=60)
        self.beats.append(beat)
        return beat

    def relay_runs(self) -> list[int]:
        """How many e-mails each relay run published, read from the workers' logs."""
        pattern = re.compile(r"outbound_email_relay_task\[[^\]]+\] succeeded in [0-9.]+s: (\d+)")
        return [int(n) for worker in self.workers for n in pattern.findall(worker.log_text())]


# --- HTTP -------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_get(url: str, *, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class Answer:
    status: int  # 0: no answer (refused, reset, timed out)
    body: str
    location: str
    seconds: float


class Browser:
    """One person's browser: cookies, CSRF, no redirects followed (the Location is the answer)."""

    def __init__(self, base_url: str, *, timeout: float = 30) -> None:
        self.base_url, self.timeout = base_url, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def _csrf(self) -> str:
        return next((cookie.value for cookie in self.jar if cookie.name == "csrftoken"), "")

    def request(self, method: str, path: str, fields: dict | None = None) -> Answer:
        data = None
        headers = {"Referer": self.base_url + path}
        if method == "POST":
            data = urllib.parse.urlencode({**(fields or {}), "csrfmiddlewaretoken": self._csrf()}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status, body, location = (
                    response.status,
                    response.read(),
                    response.headers.get("Location", ""),
                )
        except urllib.error.HTTPError as error:
            status, body, location = error.code, error.read(), error.headers.get("Location", "")
        except (OSError, http.client.HTTPException):
            status, body, location = 0, b"", ""
        return Answer(status, body.decode(errors="replace"), location or "", time.monotonic() - started)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, fields: dict) -> Answer:
        return self.request("POST", path, fields)

    def sign_in(self, username: str, password: str, *, attempts: int = 5) -> None:
        for _attempt in range(attempts):
            self.get("/accounts/login/")
            answer = self.post("/accounts/login/", {"username": username, "password": password})
            if answer.status == 302:
                return
            time.sleep(1)
        raise RuntimeError(f"{username} could not sign in ({answer.status})")


# --- Traffic ----------------------------------------------------------------------------------


@dataclass
class Hit:
    at: float
    who: str
    action: str
    status: int
    seconds: float


@dataclass
class Ledger:
    """What the traffic did and what the app acknowledged, for checking against the database."""

    hits: list[Hit] = field(default_factory=list)
    submitted: dict[str, int | None] = field(
        default_factory=dict
    )  # title -> ticket id (None: not acknowledged)
    replies: dict[str, bool] = field(default_factory=dict)  # marker -> acknowledged
    grades: dict[int, tuple[str, bool]] = field(default_factory=dict)  # survey -> (grade, acknowledged)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, who: str, action: str, answer: Answer) -> None:
        with self.lock:
            self.hits.append(Hit(time.monotonic(), who, action, answer.status, answer.seconds))


class Traffic:
    """Customers submitting requests, replying and grading; agents browsing the queue, ticket
    pages and search, and replying. Each person is a thread with a think time between requests;
    every request is bounded by the browser's timeout and the traffic by stop()."""

    def __init__(
        self,
        app: App,
        seed: dict,
        *,
        tag: str,
        customers: int | None = None,
        agents: int | None = None,
        think: tuple[float, float] = (0.4, 1.2),
    ) -> None:
        self.app, self.seed, self.tag, self.think = app, seed, tag, think
        self.customers = seed["customers"][:customers]
        self.agents = seed["agents"][:agents]
        self.ledger = Ledger()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._ticket_ids: list[int] = []
        self._serial = 0

    def start(self) -> None:
        browsers = {}
        for username in [*self.customers, *self.agents]:
            browser = Browser(self.app.base_url)
            browser.sign_in(username, self.seed["password"])
            browsers[username] = browser
        for username in self.customers:
            thread = threading.Thread(target=self._customer, args=(username, browsers[username]), daemon=True)
            self._threads.append(thread)
        for username in self.agents:
            thread = threading.Thread(target=self._agent, args=(username, browsers[username]), daemon=True)
            self._threads.append(thread)
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _pause(self) -> None:
        self._stop.wait(random.uniform(*self.think))

    def _next(self) -> int:
        with self.ledger.lock:
            self._serial += 1
            return self._serial

    def _customer(self, username: str, browser: Browser) -> None:
        rng = random.Random(username)
        mine: list[int] = []
        surveys = list(self.seed["surveys"].get(username, []))
        ledger = self.ledger
        while not self._stop.is_set():
            roll = rng.random()
            if roll < 0.35:
                title = f"fault-{self.tag}-{self._next()} laptop will not start"
                with ledger.lock:
                    ledger.submitted[title] = None
                answer = browser.post(
                    "/requests/new/",
                    {
                        "service": self.seed["service"],
                        "title": title,
                        "description": "It beeps twice.",
                        "urgency": "low",
                        "impact": "low",
                    },
                )
                ledger.hit(username, "submit", answer)
                found = re.search(r"/requests/(\d+)/$", answer.location)
                if answer.status == 302 and found:
                    ticket_id = int(found.group(1))
                    mine.append(ticket_id)
                    with ledger.lock:
                        ledger.submitted[title] = ticket_id
                        self._ticket_ids.append(ticket_id)
            elif roll < 0.5 and mine:
                marker = f"reply-{self.tag}-{self._next()}"
                with ledger.lock:
                    ledger.replies[marker] = False
                answer = browser.post(
                    f"/requests/{rng.choice(mine)}/reply/", {"body": f"Still broken ({marker})."}
                )
                ledger.hit(username, "reply", answer)
                if answer.status == 302:
                    with ledger.lock:
                        ledger.replies[marker] = True
            elif roll < 0.6 and surveys:
                survey = surveys.pop()
                grade = rng.choice("ABC")
                with ledger.lock:
                    ledger.grades[survey] = (grade, False)
                answer = browser.post(f"/surveys/{survey}/", {"grade": grade})
                ledger.hit(username, "grade", answer)
                if answer.status == 302:
                    with ledger.lock:
                        ledger.grades[survey] = (grade, True)
            else:
                path = rng.choice(["/", "/requests/", *[f"/requests/{pk}/" for pk in mine[-3:]]])
                ledger.hit(username, "browse", browser.get(path))
            self._pause()

    def _agent(self, username: str, browser: Browser) -> None:
        rng = random.Random(username)
        ledger = self.ledger
        while not self._stop.is_set():
            roll = rng.random()
            with ledger.lock:
                recent = self._ticket_ids[-20:]
            if roll < 0.3:
                ledger.hit(username, "queue", browser.get("/desk/"))
            elif roll < 0.5:
                ledger.hit(
                    username, "search", browser.get(f"/desk/?q={rng.choice(['laptop', 'beeps', 'start'])}")
                )
            elif roll < 0.85 and recent:
                ledger.hit(username, "ticket", browser.get(f"/desk/tickets/{rng.choice(recent)}/"))
            elif recent:
                marker = f"reply-{self.tag}-{self._next()}"
                with ledger.lock:
                    ledger.replies[marker] = False
                answer = browser.post(
                    f"/desk/tickets/{rng.choice(recent)}/reply/",
                    {"body": f"Try holding the power button ({marker}).", "then": ""},
                )
                ledger.hit(username, "reply", answer)
                if answer.status == 302:
                    with ledger.lock:
                        ledger.replies[marker] = True
            else:
                ledger.hit(username, "home", browser.get("/"))
            self._pause()


class ReadyzProbe:
    """GET /readyz every `interval` seconds (each with a 10 s client timeout), recording status
    and time taken."""

    def __init__(self, base_url: str, *, interval: float = 1.0) -> None:
        self.url, self.interval = base_url + "/readyz", interval
        self.samples: list[tuple[float, int, float]] = []  # (started, status, seconds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                status, _body = http_get(self.url, timeout=10)
            except (OSError, http.client.HTTPException):
                status = 0
            self.samples.append((started, status, time.monotonic() - started))
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))


# --- Counting ---------------------------------------------------------------------------------


class Database:
    """Read-only questions to the app's database (psycopg2, no Django in this process)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        connection = psycopg2.connect(self.url, connect_timeout=5)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            connection.close()

    def outbox(self) -> dict[int, tuple[str, int, str]]:
        """Every outbox row: id -> (status, attempts, to)."""
        return {
            pk: (status, attempts, to)
            for pk, status, attempts, to in self.rows(
                "SELECT id, status, attempts, to_address FROM notifications_outboundemail"
            )
        }


MESSAGE_ID = re.compile(r"<outbox\.(\d+)\.")


@dataclass
class Mail:
    """The outbox against what the sink received."""

    rows: dict[int, tuple[str, int, str]]
    received: list[Received]

    @property
    def copies_by_row(self) -> Counter:
        counts = Counter()
        for message in self.received:
            found = MESSAGE_ID.search(message.message_id)
            counts[int(found.group(1)) if found else -1] += 1
        return counts

    @property
    def missing(self) -> list[int]:
        received = self.copies_by_row
        return sorted(pk for pk in self.rows if pk not in received)

    @property
    def duplicated(self) -> dict[int, int]:
        return {pk: n - 1 for pk, n in self.copies_by_row.items() if n > 1}

    @property
    def strangers(self) -> int:
        """Messages received that no outbox row explains (a Message-ID we never made)."""
        return sum(n for pk, n in self.copies_by_row.items() if pk not in self.rows)

    def statuses(self) -> Counter:
        return Counter(status for status, _attempts, _to in self.rows.values())


def mail_now(db: Database, sink: SmtpSink) -> Mail:
    return Mail(db.outbox(), sink.snapshot())


def wait_all_mail_out(db: Database, sink: SmtpSink, *, deadline: float) -> tuple[Mail, float | None]:
    """Wait (until time.monotonic() reaches deadline) for every outbox row to be sent and received;
    returns the final Mail and the moment the last of them arrived (None if some never did)."""
    while True:
        mail = mail_now(db, sink)
        done = not mail.missing and all(status == "sent" for status, _a, _t in mail.rows.values())
        if done or time.monotonic() > deadline:
            break
        time.sleep(1)
    if not done:
        return mail, None
    first_arrival: dict[int, float] = {}
    for message in mail.received:
        found = MESSAGE_ID.search(message.message_id)
        if found:
            first_arrival.setdefault(int(found.group(1)), message.at)
    return mail, max(first_arrival.values(), default=time.monotonic())


class Verdict:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def require(self, condition: bool, reason: str) -> bool:
        if not condition:
            self.reasons.append(reason)
        return condition

    def print_and_exit_code(self) -> int:
        if self.reasons:
            say(f"VERDICT: FAIL ({'; '.join(self.reasons)})")
            return 1
        say("VERDICT: PASS")
        return 0


def status_counts(hits: Iterable[Hit]) -> str:
    counts = Counter(hit.status for hit in hits)
    return ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(counts.items())) or "none"


def check_traffic(db: Database, ledger: Ledger, verdict: Verdict) -> None:
    """Every ticket, reply and grade the app acknowledged is in the database; report the rest."""
    titles = {title for (title,) in db.rows("SELECT title FROM tickets_ticket WHERE title LIKE 'fault-%%'")}
    acknowledged = [title for title, pk in ledger.submitted.items() if pk is not None]
    lost = [title for title in acknowledged if title not in titles]
    unacknowledged_stored = sum(1 for title, pk in ledger.submitted.items() if pk is None and title in titles)
    say(
        f"tickets:  submitted {len(ledger.submitted)}, acknowledged {len(acknowledged)}, "
        f"stored {len(titles)} (of them stored without an acknowledgement: {unacknowledged_stored}), "
        f"acknowledged but lost {len(lost)}"
    )
    verdict.require(not lost, f"{len(lost)} acknowledged ticket(s) lost")
    verdict.require(len(titles) <= len(ledger.submitted), "more tickets stored than submitted")

    bodies = [
        body for (body,) in db.rows("SELECT body FROM tickets_ticketmessage WHERE body LIKE '%%reply-%%'")
    ]
    stored = Counter(match for body in bodies for match in re.findall(r"reply-[\w-]+-\d+", body))
    acknowledged_replies = [marker for marker, ok in ledger.replies.items() if ok]
    lost_replies = [marker for marker in acknowledged_replies if marker not in stored]
    doubled = [marker for marker, n in stored.items() if n > 1]
    say(
        f"replies:  sent {len(ledger.replies)}, acknowledged {len(acknowledged_replies)}, "
        f"stored {len(stored)}, "
        f"acknowledged but lost {len(lost_replies)}, stored twice {len(doubled)}"
    )
    verdict.require(not lost_replies, f"{len(lost_replies)} acknowledged repl(ies) lost")
    verdict.require(not doubled, f"{len(doubled)} repl(ies) stored twice")

    graded = dict(db.rows("SELECT id, grade FROM surveys_survey WHERE answered_at IS NOT NULL"))
    acknowledged_grades = {pk: grade for pk, (grade, ok) in ledger.grades.items() if ok}
    lost_grades = [pk for pk, grade in acknowledged_grades.items() if graded.get(pk) != grade]
    say(
        f"grades:   given {len(ledger.grades)}, acknowledged {len(acknowledged_grades)}, "
        f"stored {len(graded)}, "
        f"acknowledged but lost {len(lost_grades)}"
    )
    verdict.require(not lost_grades, f"{len(lost_grades)} acknowledged grade(s) lost")


def report_http(ledger: Ledger, windows: list[tuple[str, float, float]]) -> dict[str, list[Hit]]:
    """Status counts per window (name, start, end) and per action; returns the hits per window."""
    per_window: dict[str, list[Hit]] = defaultdict(list)
    for hit in ledger.hits:
        for name, start, end in windows:
            if start <= hit.at < end:
                per_window[name].append(hit)
                break
    for name, _start, _end in windows:
        hits = per_window[name]
        slowest = max((hit.seconds for hit in hits), default=0)
        say(f"http {name:<8} {len(hits):>5} requests: {status_counts(hits)}; slowest {slowest:.1f} s")
    actions = Counter(hit.action for hit in ledger.hits)
    say("http by action: " + ", ".join(f"{action} {n}" for action, n in sorted(actions.items())))
    return per_window


def check_readyz(
    probe: ReadyzProbe,
    outages: list[tuple[str, float, float]],
    verdict: Verdict,
    *,
    back_within: float = 10.0,
    bound: float = 2.0,
) -> None:
    """During each outage (start, end): every /readyz waiting at some moment of it answered within
    `bound` seconds (READYZ_TIMEOUT_SECONDS, as the client sees it), and 503 if it was sent and answered
    within it (after its first second); after the outage, 200 again within `back_within` seconds."""
    for name, start, end in outages:
        # Every probe that was waiting at some moment of the outage (bar its first second),
        # including one sent just before it began.
        during = [
            (t, status, seconds)
            for t, status, seconds in probe.samples
            if t < end and t + seconds > start + 1
        ]
        not_503 = [status for t, status, s in during if status != 503 and t >= start + 1 and t + s <= end]
        slow = max((seconds for _t, _status, seconds in during), default=0.0)
        after = [(t, status) for t, status, _s in probe.samples if t >= end]
        back = next((t - end for t, status in after if status == 200), None)
        say(
            f"readyz {name}: {len(during)} probes during, {sum(s == 503 for _t, s, _x in during)} "
            f"answered 503, slowest {slow:.2f} s; 200 again "
            f"{f'after {back:.1f} s' if back is not None else 'never'} once it ended"
        )
        verdict.require(bool(during), f"/readyz not probed during {name}")
        verdict.require(not not_503, f"/readyz answered {Counter(not_503)} (not 503) during {name}")
        verdict.require(slow <= bound, f"/readyz took {slow:.1f} s during {name} (bound {bound} s)")
        verdict.require(
            back is not None and back <= back_within, f"/readyz not 200 within {back_within:g} s after {name}"
        )


def check_mail(
    mail: Mail,
    last_arrival: float | None,
    fault_end: float | None,
    verdict: Verdict,
    *,
    allowed_copies: int = 0,
    within: float = 120.0,
) -> None:
    """Every outbox row sent and received, none twice beyond `allowed_copies`, all out within
    `within` seconds of the fault's end."""
    statuses = mail.statuses()
    duplicated = mail.duplicated
    attempts = Counter(attempts for _status, attempts, _to in mail.rows.values())
    say(
        f"e-mails:  in the outbox {len(mail.rows)} "
        f"({', '.join(f'{s} {n}' for s, n in sorted(statuses.items()))}); "
        f"received {len(mail.received)} messages, {len(mail.copies_by_row)} distinct Message-IDs; "
        f"missing {len(mail.missing)}; copies {sum(duplicated.values())}; unknown {mail.strangers}"
    )
    say("attempts: " + ", ".join(f"{n} e-mail(s) with {a}" for a, n in sorted(attempts.items())))
    if last_arrival is not None and fault_end is not None:
        say(f"the last e-mail arrived {last_arrival - fault_end:.1f} s after the fault ended")
    verdict.require(not mail.missing, f"{len(mail.missing)} e-mail(s) never received")
    verdict.require(statuses.get("dead", 0) == 0, f"{statuses.get('dead', 0)} dead letter(s)")
    verdict.require(statuses.get("pending", 0) == 0, f"{statuses.get('pending', 0)} e-mail(s) still pending")
    verdict.require(mail.strangers == 0, f"{mail.strangers} message(s) with an unknown Message-ID")
    verdict.require(
        sum(duplicated.values()) <= allowed_copies,
        f"{sum(duplicated.values())} copies (allowed {allowed_copies})",
    )
    verdict.require(
        last_arrival is not None and (fault_end is None or last_arrival - fault_end <= within),
        f"e-mails not all out within {within:g} s of the fault's end",
    )


def check_copies_at(mail: Mail, moments: list[tuple[str, float]], verdict: Verdict) -> int:
    """A copy is allowed only for an e-mail in flight at one of these moments (a kill, the database
    stopping): first received in the moment before it, when the mail server had it and our commit
    had not happened. Returns how many copies there were."""
    first_seen: dict[int, float] = {}
    for message in mail.received:
        found = MESSAGE_ID.search(message.message_id)
        if found:
            first_seen.setdefault(int(found.group(1)), message.at)
    for pk, copies in sorted(mail.duplicated.items()):
        near = [name for name, moment in moments if moment - 3 <= first_seen.get(pk, -1e9) <= moment + 1]
        say(
            f"  copy: e-mail {pk} received {copies + 1} times (same Message-ID), first "
            f"{'in the moment before ' + near[0] if near else 'away from any fault'}"
        )
        verdict.require(bool(near), f"e-mail {pk} sent twice away from the fault")
    return sum(mail.duplicated.values())


def stack(
    run: Run,
    *,
    database_server: str = "",
    settings: str = "servicedesk.settings.production",
    smtp_delay: float = 0.0,
) -> tuple[RedisServer, PostgresCluster | ScratchDatabase, SmtpSink, App]:
    """Redis, a database (an own cluster, or a scratch database on `database_server`), an SMTP
    sink accepting mail, and the app configured against them (migrated, nothing started)."""
    redis_server = RedisServer(run)
    redis_server.start()
    database: PostgresCluster | ScratchDatabase
    database = ScratchDatabase(run, database_server) if database_server else PostgresCluster(run)
    database.create()
    sink = SmtpSink(delay=smtp_delay)
    sink.set_mode("accept")
    run.on_exit(sink.close)
    app = App(
        run, database_url=database.url, redis_url=redis_server.url, smtp_port=sink.port, settings=settings
    )
    app.prepare()
    return redis_server, database, sink, app


def describe_settings(settings: str) -> None:
    if settings != "servicedesk.settings.production":
        say(f"settings: {settings} (production, with shorter outbox timers and a fast password hasher)")
    else:
        say("settings: servicedesk.settings.production (the outbox's real timers)")


# --- The scripts' common options --------------------------------------------------------------


def options(description: str, argv: list[str] | None, add: Callable | None = None):
    """--quick (shorter faults, the outbox's timers shortened), --keep (keep logs and temp dir),
    --database-server URL (a scratch database on that server instead of an own cluster)."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="short faults and shortened outbox timers")
    parser.add_argument("--keep", action="store_true", help="keep the run's logs and temporary directory")
    parser.add_argument(
        "--database-server",
        default="",
        metavar="URL",
        help="use a scratch database on this Postgres server instead of an own cluster",
    )
    if add:
        add(parser)
    parsed = parser.parse_args(argv)
    parsed.settings = "bench.faults.quick_settings" if parsed.quick else "servicedesk.settings.production"
    return parsed
