"""The test suite: fast hashing, mail kept in memory, Celery on its own queue (never eager)."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, INSTALLED_APPS, TEMPLATES, VAR_DIR

SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789abcdef"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The test worker consumes only this queue, so a development worker never steals test tasks; one
# queue per pytest-xdist process (gw0, gw1 ...), so processes never take each other's either.
CELERY_TASK_DEFAULT_QUEUE = "-".join(
    filter(None, ["servicedesk-test", os.environ.get("PYTEST_XDIST_WORKER")])
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so the Celery worker thread and the live server share the database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
ALLOWED_HOSTS = ["*"]
# Threads (the Celery worker, the live server) must not keep connections that block the
# teardown of the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DEV_MAILBOX_ENABLED = True
# Each test starts with an empty cache of its own.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Test-only e-mails (tests/templates/emails/tests/). Set once here, not per test: changing
# TEMPLATES at run time rebuilds the engines while the worker thread may be rendering.
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]
# The demo company and the benchmark (devkit/), so their commands and the login page's table are tested.
INSTALLED_APPS = [*INSTALLED_APPS, "devkit"]
TEMPLATES[0]["OPTIONS"]["context_processors"] = [
    *TEMPLATES[0]["OPTIONS"]["context_processors"],
    "devkit.context_processors.demo_logins",
]
DEMO_LOGINS_VISIBLE = False  # tests of the table turn it on
