"""Development on one machine: `make run`. SQLite and the filesystem broker unless told otherwise."""

import secrets

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, TEMPLATES, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)


def _secret_key_from_var() -> str:
    """The development key, generated once into var/ so sessions survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or _secret_key_from_var()

DEV_MAILBOX_ENABLED = DEBUG

# The demo company and the benchmark (devkit/): seed_demo, seed_bench, bench, bench_followups, and
# the demo logins table on the login page.
INSTALLED_APPS = [*INSTALLED_APPS, "devkit"]
TEMPLATES[0]["OPTIONS"]["context_processors"] = [
    *TEMPLATES[0]["OPTIONS"]["context_processors"],
    "devkit.context_processors.demo_logins",
]
DEMO_LOGINS_VISIBLE = env.bool("DEMO_LOGINS_VISIBLE", default=True)
