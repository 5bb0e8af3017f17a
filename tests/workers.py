"""Real `celery worker` processes and the mail they write, for tests that stop or kill things.

Such a worker shares the test database, so these tests need Postgres (SQLite's test database is
in memory) and a Redis broker.
"""

import os
import subprocess
import sys
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

needs_worker_process = pytest.mark.skipif(
    not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a worker process needs the shared Postgres and Redis",
)


def database_url(name: str = "") -> str:
    """The test database's URL, for a process of its own (or, `name` given, another database on
    the same Postgres server)."""
    database = connection.settings_dict
    credentials = urllib.parse.quote(database["USER"] or "postgres")
    if database["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(database["PASSWORD"])
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{name or database['NAME']}"


def worker_process(*, queue: str, mail_dir: Path, redis_url: str = "") -> subprocess.Popen:
    """One worker (a main process and one pool process, in a process group of their own, as under
    systemd) consuming `queue`, writing each e-mail it sends to a file in mail_dir."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.local",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url or settings.REDIS_URL,
        "EMAIL_URL": f"filemail://{mail_dir}".replace("://", ":///"),  # environ drops one slash
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "servicedesk", "worker", "-Q", queue, "-c", "1",
         "--pool", "prefork", "--loglevel", "WARNING", "-n", f"{queue}-{os.getpid()}@%h",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env=env,
        cwd=settings.BASE_DIR,
        start_new_session=True,
    )  # fmt: skip


def mail_written(mail_dir: Path) -> list[tuple[str, str]]:
    """(recipient, Message-ID) of every e-mail a worker wrote to mail_dir, copies included."""
    written = []
    for mail_file in sorted(mail_dir.iterdir()):
        for email in mail_file.read_text().split("\n" + "-" * 79 + "\n"):
            headers = dict(
                line.split(": ", 1) for line in email.partition("\n\n")[0].splitlines() if ": " in line
            )
            if "To" in headers:
                written.append((headers["To"].strip(), headers["Message-ID"].strip()))
    return written


def mail_recipients(mail_dir: Path) -> Counter:
    """How many e-mails each address received, read from the files a worker wrote."""
    return Counter(address for address, _ in mail_written(mail_dir))
