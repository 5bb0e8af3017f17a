"""The servers `manage.py load` runs (gunicorn with production settings, a Celery worker) and the
CPU time they use, read from /proc."""

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from django.db import connection

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of one process, or None once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except FileNotFoundError:
        pass
    return found


def family(pid: int) -> list[int]:
    """A process and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += children(current)
    return pids


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / TICK, sum(values) / TICK


class CpuMeter:
    """Polls the CPU of named groups of processes (gunicorn, the Celery worker, this database's
    Postgres backends) twice a second, keeping each process's last reading, so a process that
    ends between two snapshots still counts what it used up to the last poll."""

    def __init__(self, groups: dict[str, int], *, database: str | None) -> None:
        self.groups = groups  # name -> root pid (a family)
        self.database = database
        self.seen: dict[str, dict[int, float]] = {name: {} for name in [*groups, "postgres"]}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="cpu-meter", daemon=True)

    def start(self) -> None:
        self.poll()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(0.5):
                self.poll()
        finally:
            connection.close()

    def poll(self) -> None:
        readings = {name: self._read(family(root)) for name, root in self.groups.items()}
        if self.database:
            readings["postgres"] = self._read(self._backends())
        with self._lock:
            for name, values in readings.items():
                self.seen[name].update(values)

    def _read(self, pids: Iterable[int]) -> dict[int, float]:
        values = {}
        for pid in pids:
            seconds = cpu_seconds(pid)
            if seconds is not None:
                values[pid] = seconds
        return values

    def _backends(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
            return [row[0] for row in cursor.fetchall()]

    def snapshot(self) -> dict[str, float]:
        """CPU seconds each group has used so far, and the machine's busy and total seconds."""
        self.poll()
        with self._lock:
            totals = {name: sum(values.values()) for name, values in self.seen.items()}
        totals["load generator"] = time.process_time()
        totals["machine busy"], totals["machine total"] = machine_busy_seconds()
        return totals


def server_env(*, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a production-settings process on this machine, over plain HTTP."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.production",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "load-test-only-" + "x" * 40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_HTTPS": "false",
        **(extra or {}),
    }


def collectstatic(env: dict[str, str]) -> None:
    """The production storage needs the hashed manifest; quick when nothing changed."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
    )


def gunicorn_start(
    *, port: int, workers: int, worker_class: str, threads: int, env: dict[str, str], log: Path
) -> subprocess.Popen:
    conf = Path(__file__).with_name("gunicorn_conf.py")
    command = [
        sys.executable, "-m", "gunicorn", "servicedesk.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads),
        "--config", str(conf), "--backlog", "2048", "--timeout", "60", "--access-logfile", "-",
    ]  # fmt: skip
    with log.open("ab") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"gunicorn did not answer on port {port}; see {log}")


def celery_worker_start(*, env: dict[str, str], concurrency: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "servicedesk", "worker", "-c", str(concurrency),
        "--pool", "prefork", "-n", f"load-{os.getpid()}@%h", "--loglevel", "WARNING",
        "--without-heartbeat", "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen | None, *, timeout: float = 30) -> None:
    """SIGTERM (a graceful stop: gunicorn's workers finish and write their profiles), then kill."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
