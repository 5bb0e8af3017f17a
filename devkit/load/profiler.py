"""Where a gunicorn worker's CPU goes, for `manage.py load --profile`.

A statistical profiler in the worker itself: the kernel's profiling timer (ITIMER_PROF) sends
SIGPROF as the process uses CPU (at most once per kernel tick, 4 ms here), and the handler, which
Python runs in the main thread right where it was interrupted, files the CPU used since the last
sample under a category read from the stack. Waiting (for Postgres, Redis or the client) uses no
CPU and is never sampled. CPU spent inside C code (psycopg2, a regular expression) lands on the
Python frame that called it.

The categories (`classify`), from the innermost frame out: database queries (the ORM and the
driver, building the rows' model instances included, and queries run from a template), the
cache (Redis), template rendering (Django templates, template partials, crispy forms, template
tags, widgets), Markdown, middleware, forms, URL routing, the views and the rest of the
project's code, Django's request and response handling, and gunicorn (reading requests, writing
responses and the access log, accept). Queries and cache reads made *for* the session
(django.contrib.sessions) or for auth and permissions (django.contrib.auth, the access
decorators, roles) count as session, or auth and permissions. Code in django.utils and the
standard library counts towards whatever called it.
"""

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

INTERVAL = 0.001  # asked for; the kernel's tick decides (each sample is weighed by the CPU it covers)
PROJECT = str(Path(__file__).resolve().parents[2])
PROJECT_APPS = ("accounts", "core", "customers", "tickets", "surveys", "reports", "notifications")
PROFILER = "the profiler itself"
SESSION = "session"
AUTH = "auth and permissions"
QUERIES = "database queries"
CACHE = "cache (Redis)"
OWNERS = {SESSION, AUTH}  # claim the queries and cache reads made on their behalf
OWNABLE = {QUERIES, CACHE}

# What one frame's file says it is doing; the first match wins.
RULES = [
    (PROFILER, (__file__,)),
    (SESSION, ("/django/contrib/sessions/",)),
    (AUTH, ("/django/contrib/auth/", f"{PROJECT}/accounts/permissions.py", f"{PROJECT}/accounts/roles.py")),
    (QUERIES, ("/django/db/", "/psycopg2/")),
    (CACHE, ("/django_redis/", "/redis/", "/django/core/cache/")),
    (
        "template rendering",
        (
            "/django/template/",
            "/django/templatetags/",
            "/template_partials/",
            "/crispy_forms/",
            "/crispy_bootstrap5/",
            "/templatetags/",
            "/django/forms/renderers.py",
            "/django/forms/boundfield.py",
            "/django/forms/widgets.py",
            "/django/forms/utils.py",
            f"{PROJECT}/core/widgets.py",
        ),
    ),
    ("Markdown", ("/markdown/", "/nh3", f"{PROJECT}/core/markdown.py")),
    (
        "middleware",
        (
            "/django/middleware/",
            "/csp/",
            "/axes/",
            "/django_htmx/",
            "/whitenoise/",
            f"{PROJECT}/core/middleware.py",
            "/django/contrib/messages/",
        ),
    ),
    ("forms (validation)", ("/django/forms/",)),
    ("URL routing", ("/django/urls/",)),
    ("views and the project's code", tuple(f"{PROJECT}/{app}/" for app in PROJECT_APPS)),
    (
        "Django request/response",
        ("/django/core/handlers/", "/django/http/", "/django/shortcuts.py", "/django/core/signing.py"),
    ),
    ("gunicorn (HTTP, access log, accept)", ("/gunicorn/",)),
]


# Model helpers that run no query (choices' labels, enums): they count towards their caller.
NOT_QUERIES = ("/django/db/models/enums.py",)
NOT_QUERY_FUNCTIONS = ("_get_FIELD_display",)


def _frame_category(path: str, cache: dict[str, str | None] = {}) -> str | None:  # noqa: B006 (a memo)
    if path not in cache:
        found = None
        if not any(m in path for m in NOT_QUERIES):
            found = next((name for name, markers in RULES if any(m in path for m in markers)), None)
        cache[path] = found
    return cache[path]


def classify(frame) -> str:
    """The innermost frame with a category decides, unless it is a query or a cache read made on
    behalf of the session or auth (found further out before any other kind of code)."""
    found = None
    while frame is not None:
        code = frame.f_code
        category = None if code.co_name in NOT_QUERY_FUNCTIONS else _frame_category(code.co_filename)
        frame = frame.f_back
        if category is None:
            continue
        if found is None:
            found = category
            if found not in OWNABLE:
                return found
        elif category in OWNERS:
            return category
        elif category not in OWNABLE:
            return found
    return found or "other"


class Sampler:
    def __init__(self, out_dir: str) -> None:
        self.out_dir = Path(out_dir)
        self.categories: Counter[str] = Counter()  # CPU seconds
        self.functions: Counter[str] = Counter()  # CPU seconds by innermost Python function
        self.stacks: Counter[str] = Counter()  # CPU seconds by the innermost frames, to find callers
        self.sites: Counter[str] = Counter()  # CPU seconds by category and where: template or project code
        self.requests = 0
        self.last = time.process_time()
        self.reset_marker = self.out_dir / "reset"  # touched by the load command: start counting afresh
        self.reset_seen = self._marker()

    def _marker(self) -> int:
        try:
            return self.reset_marker.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def request_done(self) -> None:
        self.requests += 1
        marker = self._marker()
        if marker != self.reset_seen:
            self.reset_seen = marker
            self.categories.clear()
            self.functions.clear()
            self.stacks.clear()
            self.sites.clear()
            self.requests = 0

    def start(self) -> None:
        self.last = time.process_time()
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)

    def _sample(self, signum, frame) -> None:
        now = time.process_time()
        used, self.last = now - self.last, now
        category = classify(frame)
        self.categories[category] += used
        self.sites[f"{category} | {_site(frame)}"] += used
        if frame is not None:
            code = frame.f_code
            self.functions[f"{_short(code.co_filename)}:{code.co_name}"] += used
            self.stacks[_stack(frame)] += used

    def dump(self) -> None:
        self.stop()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        data = {
            "requests": self.requests,
            "categories": dict(self.categories),
            "functions": dict(self.functions.most_common(80)),
            "stacks": dict(self.stacks.most_common(300)),
            "sites": dict(self.sites.most_common(300)),
        }
        (self.out_dir / f"worker-{os.getpid()}.json").write_text(json.dumps(data))


def _site(frame) -> str:
    """Where a sample was taken, for people: the innermost template being rendered and the
    innermost function of the project's own code."""
    template = code = None
    while frame is not None and (template is None or code is None):
        path = frame.f_code.co_filename
        if template is None and frame.f_code.co_name == "render" and path.endswith("django/template/base.py"):
            origin = getattr(frame.f_locals.get("self"), "origin", None)
            template = getattr(origin, "template_name", None)
        if code is None and _ours(path):
            code = f"{_short(path)}:{frame.f_code.co_name}"
        frame = frame.f_back
    return f"{template or '-'} | {code or '-'}"


def _ours(path: str) -> bool:
    """The project's own code (not a library in the virtualenv, not this load tool)."""
    return path.startswith(PROJECT + "/") and "/.venv/" not in path and "/devkit/" not in path


def _stack(frame, depth: int = 12) -> str:
    """The innermost frames, innermost first, as one line each."""
    lines = []
    while frame is not None and len(lines) < depth:
        lines.append(f"{_short(frame.f_code.co_filename)}:{frame.f_lineno}:{frame.f_code.co_name}")
        frame = frame.f_back
    return "\n".join(lines)


def _short(path: str) -> str:
    for marker in ("site-packages/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path.removeprefix(PROJECT + "/")


def merge(out_dir: str) -> dict:
    """The workers' dumps added up: requests, and CPU seconds by category and by function."""
    total = {
        "requests": 0,
        "seconds": Counter(),
        "functions": Counter(),
        "stacks": Counter(),
        "sites": Counter(),
    }
    for path in Path(out_dir).glob("worker-*.json"):
        data = json.loads(path.read_text())
        total["requests"] += data["requests"]
        total["seconds"].update(data["categories"])
        total["functions"].update(data["functions"])
        total["stacks"].update(data.get("stacks", {}))
        total["sites"].update(data.get("sites", {}))
    return total


_sampler: Sampler | None = None


def worker_started(out_dir: str) -> None:
    global _sampler
    _sampler = Sampler(out_dir)
    _sampler.start()


def request_done() -> None:
    if _sampler is not None:
        _sampler.request_done()


def worker_stopping() -> None:
    if _sampler is not None:
        _sampler.dump()
