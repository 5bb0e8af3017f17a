"""Settings shared by every mode. Everything that varies comes from the environment (or `.env`).

local.py, production.py and test.py only override. `.env.example` lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# Runtime files of a development install: SQLite database, filesystem broker, e-mail files.
VAR_DIR = Path(env("SERVICEDESK_VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core ---------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "notifications",
    "customers",
    "tickets",
    "inbound",
    "surveys",
    "reports",
    "meetings",
    "api",
    "webhooks",
    "knowledge",
    "readiness",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.NoStoreWhenSignedInMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "readiness.context_processors.standards_to_read",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web, worker and beat read while one of them writes; IMMEDIATE takes the write
    # lock at BEGIN so concurrent writers queue (up to `timeout`) instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The covering indexes (INCLUDE) are for Postgres; SQLite keeps them as plain indexes.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.UsernameOrEmailBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Each user's permissions are kept in the cache (accounts/permission_cache.py), every change
# forgetting them at once; this bounds an entry's life should a change miss an unreachable cache.
PERMISSIONS_CACHE_SECONDS = 300
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
# At most this many reset e-mails per address an hour; further requests get the same answer.
PASSWORD_RESET_EMAILS_PER_HOUR = env.int("PASSWORD_RESET_EMAILS_PER_HOUR", default=3)

# Failed sign-ins (django-axes; accounts/throttle.py): this many for one account from one address,
# or for any accounts from one address, lock that pair or that address out for a while. The bare
# username is never locked, so nobody elsewhere can keep its owner out.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_HANDLER = "accounts.throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # the handler's order
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# Failures while locked out do not extend the lockout: it ends on time however hard someone tries.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.throttle.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.requests.client_ip"  # the address the audit trail records
AXES_LOCKOUT_CALLABLE = "accounts.throttle.login_locked_out"
AXES_DISABLE_ACCESS_LOG = True  # the account audit trail records sign-ins already

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = env.bool("USE_I18N", default=False)
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside static/ and are only ever served through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security headers that hold in every mode -----------------------------------------------
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) on every page: our own scripts, styles and images only, no
# inline script or style and no eval (htmx's config in base.html). A download sends a stricter one.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}

# --- The REST API (/api/v1/, the api app) ------------------------------------------------------
# Personal tokens (`Authorization: Bearer ...`) or the browser's session (with CSRF). Every error
# has one shape (api/errors.py); lists are cursor-paginated; each token (or session user) may make
# API_THROTTLE_RATE requests, and is then answered 429 with Retry-After.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "IT Service Desk API",
    "DESCRIPTION": (
        "The service desk's REST API, with exactly the portal's and the desk's permissions. "
        "Authenticate with a personal token (`Authorization: Bearer <token>`, made on your "
        "profile's API tokens page) or a signed-in browser session. Every error answers "
        '`{"error": {"status": <code>, "reason": "<why>", "fields": {<field>: [<message>, ...]}}}` '
        "(`fields` only on a 400)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI's files come from drf-spectacular-sidecar through our static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from validator.swagger.io: the page asks nothing of another site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ArticleKindEnum": "knowledge.models.Article.Kind",
        "ArticleStatusEnum": "knowledge.models.Article.Status",
        "ChannelEnum": "tickets.models.Ticket.Channel",
        "CustomerCategoryEnum": "customers.models.CustomerCategory",
        "StatusEnum": "tickets.models.TicketStatus",
        "TicketCreateInputChannelEnum": "api.serializers.tickets.LOGGED_CHANNELS",
    },
}

# --- E-mail ---------------------------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:587/?tls=True, or consolemail://, filemail://, ...
# Unset, mail is written as files under var/mail/ (see local.py).
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="IT Service Desk <servicedesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- Celery ---------------------------------------------------------------------------------
# REDIS_URL set: Redis is the broker. Unset: kombu's filesystem transport under var/broker/,
# which needs no server (development only: it has no acknowledgements).
REDIS_URL = env("REDIS_URL", default="")
# A task not acknowledged within this many seconds is delivered again. Every countdown we
# schedule (see OUTBOX_*) stays well under it, so a delayed task is never redelivered for waiting.
REDIS_VISIBILITY_TIMEOUT = 60 * 60
# How long any Redis call (cache, broker publish) may wait to connect or for an answer.
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=1.0)
# After a cache call to Redis fails or times out, the cache does not try Redis again for this long:
# each call would wait REDIS_TIMEOUT_SECONDS, and a page makes several (core/cache.py).
REDIS_BREAKER_SECONDS = env.float("REDIS_BREAKER_SECONDS", default=5.0)
# /readyz answers within this, 503 for a dependency that has not answered by then ...
READYZ_TIMEOUT_SECONDS = 2
# ... so its checks get less than that: the rest is the request's own time, and its wait for a web
# worker when they are busy. Checks given the whole 2 s made every answer with Redis frozen take
# a little over it: 2.2 to 2.8 s in bench/faults/redis_outage.
READYZ_CHECK_SECONDS = 1.5
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": 2,
        # Longer than the worker's 1-second BRPOP poll, short enough that a frozen Redis never
        # holds a publish (or /readyz) for long.
        "socket_timeout": 5,
    }
else:
    BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://localhost//"
    # kombu's filesystem transport, publishing atomically (see servicedesk/broker.py).
    CELERY_BROKER_TRANSPORT = "servicedesk.broker:FilesystemTransport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for folder in ("queue", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A publish that cannot reach the broker gives up quickly; the outbox relay sends it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    # Every 15 s: e-mails waiting for a mail server that is back leave at the next run (see
    # OUTBOX_SERVER_RETRY_MAX_SECONDS). The query reads only pending rows, through an index.
    "outbox-relay": {
        "task": "notifications.tasks.outbound_email_relay_task",
        "schedule": timedelta(seconds=15),
    },
    # Webhook deliveries that are due (a retry), lost or never enqueued: the same relay, over
    # their table (notifications.outbox.relay).
    "webhooks-relay": {
        "task": "webhooks.tasks.webhook_relay_task",
        "schedule": timedelta(seconds=15),
    },
    # The IMAP mailbox, when one is configured (INBOUND_IMAP_HOST); a poll that waited in the
    # queue for most of a minute is dropped, the next one is on its way.
    "inbound-imap-poll": {
        "task": "inbound.tasks.inbound_imap_poll_task",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    # Incoming e-mail whose task was lost is read by this sweep.
    "inbound-sweep": {
        "task": "inbound.tasks.inbound_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    # Hourly rather than daily: a missed run (beat down) costs an hour, and re-runs do nothing.
    "arrangement-reminders": {
        "task": "customers.tasks.arrangement_reminders_task",
        "schedule": timedelta(hours=1),
    },
    # Hourly, and a no-op outside business hours: an owner hears of a due review at work, once.
    "knowledge-review-reminders": {
        "task": "knowledge.tasks.article_review_reminders_task",
        "schedule": timedelta(hours=1),
    },
    # Follow-ups and SLA alerts are scheduled on the tickets; this hands what is due to workers.
    "followups-scan": {
        "task": "tickets.tasks.followups_scan_task",
        "schedule": timedelta(minutes=1),
    },
    # The owners of the staff meeting's actions due today (once per due date, in business hours).
    "meeting-action-reminders": {
        "task": "meetings.tasks.action_reminders_task",
        "schedule": timedelta(hours=1),
    },
    # Yesterday, for the managers, every morning.
    "manager-digest": {
        "task": "surveys.tasks.manager_digest_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Survey invitations and reminders are scheduled in the database; this sends what is due.
    "surveys-due": {
        "task": "surveys.tasks.surveys_due_send_task",
        "schedule": timedelta(minutes=5),
    },
    # The dashboards' rollups: rebuild the days (and months) whose tickets or surveys changed.
    "rollups-refresh": {
        "task": "reports.tasks.rollups_refresh_task",
        "schedule": timedelta(minutes=1),
    },
    # The API's Idempotency-Keys are kept 24 hours; older ones go, in the quiet of the night.
    "idempotency-keys-purge": {
        "task": "api.tasks.idempotency_keys_purge_task",
        "schedule": crontab(hour=3, minute=30),
    },
}

# --- Cache (shared between processes when Redis is there) ----------------------------------
# django-redis, told to treat a Redis error as a miss: with Redis down or frozen (a call gives up
# after REDIS_TIMEOUT_SECONDS, and the calls of the next REDIS_BREAKER_SECONDS fail at once)
# sessions are read from and written to the database alone, and every page keeps working.
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "REDIS_CLIENT_CLASS": "core.cache.CircuitBreakingRedis",
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Sessions are read on every request: from the cache, falling back to (and written through to)
# the database, so a cache flush logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long the dashboard keeps its trend and breakdowns (a rebuilt rollup replaces them at once;
# the limit bounds how long a deploy that changes their templates shows the old ones).
REPORTS_CACHE_SECONDS = env.int("REPORTS_CACHE_SECONDS", default=600)
# How old the dashboard's live counts (open requests by age, breaching, cases waiting) may be.
REPORTS_LIVE_SECONDS = env.int("REPORTS_LIVE_SECONDS", default=60)
# A service not yet supported goes live only once at least this many agents are trained on it.
READINESS_MIN_TRAINED_AGENTS = env.int("READINESS_MIN_TRAINED_AGENTS", default=2)

# --- Incoming e-mail -----------------------------------------------------------------------
# The address that delivers into the desk (IMAP mailbox or MTA pipe). Set, e-mails about a ticket
# carry it as Reply-To and start with the "reply above this line" marker; unset, e-mail in is off.
INBOUND_ADDRESS = env("INBOUND_ADDRESS", default="")
# The catalog entry (its slug) a request that arrives by e-mail starts on; unset or inactive, the
# catalog's first entry.
INBOUND_SERVICE_SLUG = env("INBOUND_SERVICE_SLUG", default="")
# Addresses that are the desk's own besides DEFAULT_FROM_EMAIL (aliases that deliver into the
# pipeline): mail from them is never read as a request, so the desk cannot answer itself.
INBOUND_OWN_ADDRESSES = env.list("INBOUND_OWN_ADDRESSES", default=[])
# Mail from an address no account has: "answer" (a polite reply saying how to get access, at most
# once a day) or "create" (a customer account with no usable password, and the request opens).
INBOUND_UNKNOWN_SENDERS = env("INBOUND_UNKNOWN_SENDERS", default="answer")
# More messages than this from one address in an hour are kept but not read: a loop with an
# auto-responder that does not say it is one stops here.
INBOUND_SENDER_LIMIT_PER_HOUR = env.int("INBOUND_SENDER_LIMIT_PER_HOUR", default=20)
# The IMAP mailbox beat polls every minute (docs/configuration.md § E-mail in). No host: polling
# is off. SECURITY is ssl (port 993 unless PORT is set), starttls or none (port 143).
INBOUND_IMAP_HOST = env("INBOUND_IMAP_HOST", default="")
INBOUND_IMAP_PORT = env.int("INBOUND_IMAP_PORT", default=0)
INBOUND_IMAP_SECURITY = env("INBOUND_IMAP_SECURITY", default="ssl")
INBOUND_IMAP_USER = env("INBOUND_IMAP_USER", default="")
INBOUND_IMAP_PASSWORD = env("INBOUND_IMAP_PASSWORD", default="")
INBOUND_IMAP_FOLDER = env("INBOUND_IMAP_FOLDER", default="INBOX")
# Set: each message stored is moved to this folder (made if missing), and every message left in
# FOLDER is read. Unset: each is marked read where it is, and only unread messages are read.
INBOUND_IMAP_DONE_FOLDER = env("INBOUND_IMAP_DONE_FOLDER", default="")
# XOAUTH2 instead of a password (Microsoft 365, Google Workspace): the provider's token endpoint
# and the app's client id and secret, with a refresh token (delegated access), or without one
# (client credentials, for SCOPE). The access token is kept until a minute before it expires.
INBOUND_IMAP_OAUTH2_TOKEN_URL = env("INBOUND_IMAP_OAUTH2_TOKEN_URL", default="")
INBOUND_IMAP_OAUTH2_CLIENT_ID = env("INBOUND_IMAP_OAUTH2_CLIENT_ID", default="")
INBOUND_IMAP_OAUTH2_CLIENT_SECRET = env("INBOUND_IMAP_OAUTH2_CLIENT_SECRET", default="")
INBOUND_IMAP_OAUTH2_REFRESH_TOKEN = env("INBOUND_IMAP_OAUTH2_REFRESH_TOKEN", default="")
INBOUND_IMAP_OAUTH2_SCOPE = env("INBOUND_IMAP_OAUTH2_SCOPE", default="")
# Seconds to connect, and for each answer (IMAP server and token endpoint alike).
INBOUND_IMAP_TIMEOUT_SECONDS = env.float("INBOUND_IMAP_TIMEOUT_SECONDS", default=20)
# Messages fetched (and then marked) together; a poll starts no new batch after POLL_SECONDS, so
# it ends well within a task's time limit and the rest wait for the next poll.
INBOUND_IMAP_BATCH = env.int("INBOUND_IMAP_BATCH", default=10)
INBOUND_IMAP_POLL_SECONDS = 25

# --- Notifications outbox -------------------------------------------------------------------
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
# Retry n of an e-mail the mail server refused waits about OUTBOX_RETRY_BASE_SECONDS * 2**(n-1),
# capped, with jitter. The relay publishes the retry when it is due (no countdown in the broker).
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = 15 * 60
# A mail server that cannot be reached (refused, silent, disconnecting) is nobody's e-mail's
# fault: no attempt is counted, and every e-mail waits for the next probe, 15 s after the first
# failure, doubling to this cap. The backlog leaves at most the cap plus a relay interval after
# the server is back (the last failure can be the moment it comes back, when a restarted server
# drops the connections it hung), then takes the time it takes to send: with a cap of 60 and a
# relay every 30 s, the last of 555 e-mails left 125 s after a ten-minute outage
# (bench/faults/smtp_outage), past the two minutes promised.
OUTBOX_SERVER_RETRY_MAX_SECONDS = 30
# The relay sends rows never enqueued after this grace (the on-commit publish had its chance) ...
OUTBOX_RELAY_GRACE_SECONDS = 60
# ... and re-sends rows enqueued this long ago that no task has taken (lost with a Redis that
# restarted empty). A copy of a task still waiting in a long queue finds its e-mails sent.
OUTBOX_REQUEUE_AFTER_SECONDS = 90
# The delivery task's time limits. A task claims its e-mails for longer than its hard limit, so a
# claim that runs out belonged to a task that is surely dead (killed, or stopped at the limit).
OUTBOX_DELIVERY_SOFT_TIME_LIMIT = 30
OUTBOX_DELIVERY_TIME_LIMIT = 40
OUTBOX_CLAIM_SECONDS = OUTBOX_DELIVERY_TIME_LIMIT + 5
OUTBOX_RELAY_BATCH_SIZE = 500
# The relay publishes batch after batch while rows are due, for at most this long per run.
OUTBOX_RELAY_SECONDS = 10
# E-mails per delivery task: Celery's overhead per task, not the sending, limits a worker.
OUTBOX_DELIVERY_CHUNK = 50
# The developer mailbox at /dev/mail/ (local mode only).
DEV_MAILBOX_ENABLED = False

# --- Webhooks (docs/configuration.md § Webhooks) -------------------------------------------
# Hosts an endpoint's URL may name: exact names, or *.example.com for the names under it. Empty:
# any host. Either way, never an internal address (below).
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
# True lets endpoints resolve to loopback, private, link-local or other internal addresses (a
# receiver on the desk's own network). Off, such an address is refused at save and at delivery.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# Seconds to connect, and for each read of the answer; a slower endpoint is retried later.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5)
# Attempts before a delivery is a dead letter; retry n waits about BASE * 2**(n-1) s, with
# jitter, capped at OUTBOX_RETRY_MAX_SECONDS (15 minutes).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
# An endpoint that has accepted nothing for this long is paused when its next delivery dies:
# events stop being queued for it and the managers are told. Turned back on, its dead letters can
# be delivered again from its page.
WEBHOOK_PAUSE_AFTER_HOURS = env.float("WEBHOOK_PAUSE_AFTER_HOURS", default=24)

# --- Tickets -------------------------------------------------------------------------------
# A customer may reopen a resolved request for this many days; after that they submit a new one.
TICKET_REOPEN_DAYS = env.int("TICKET_REOPEN_DAYS", default=14)
# People copied on one request (colleagues on the e-mail's Cc or added in the portal), at most.
TICKET_CC_MAX = env.int("TICKET_CC_MAX", default=20)
# Attachments: how many per message, how large, and which types (by extension; served as downloads).
ATTACHMENT_MAX_FILES = 5
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_EXTENSIONS = {
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "txt",
    "log",
    "csv",
    "docx",
    "xlsx",
    "pptx",
    "eml",
    "zip",
}
# A ticket whose next SLA target falls within this many hours is "at risk" (and "breaching soon").
SLA_AT_RISK_HOURS = env.int("SLA_AT_RISK_HOURS", default=2)

# --- Proactive follow-ups (tickets/services/followups.py)----------------------------------------
# How often customers hear from IT is a FollowUpPolicy per priority (defaults in followups.py).
# When an update is due the assignee is nudged; this many working minutes later, if IT still has
# not written, the customer gets an automatic status update.
FOLLOWUP_GRACE_MINUTES = env.int("FOLLOWUP_GRACE_MINUTES", default=60)
# The assignee is warned when this share of an SLA target's time is used; at the breach, managers.
SLA_WARN_AT_SHARE = env.float("SLA_WARN_AT_SHARE", default=0.75)
# Waiting on the customer: remind them after this many days, resolve after this many more.
PENDING_REMIND_AFTER_DAYS = env.int("PENDING_REMIND_AFTER_DAYS", default=3)
PENDING_RESOLVE_AFTER_DAYS = env.int("PENDING_RESOLVE_AFTER_DAYS", default=4)
# Each scan claims at most this many due tickets per batch, and hands each to a worker.
FOLLOWUP_SCAN_BATCH = 1000
# A due ticket whose task has not done its work after this long is handed out again (a task lost
# with a killed worker or an emptied Redis): twice a task's hard time limit, so a live task is not
# doubled, and a copy that does run finds the step done.
FOLLOWUP_REQUEUE_AFTER_SECONDS = 3 * 60

# --- Customers -----------------------------------------------------------------------------
# Suggest "repeat offender" to a manager after this many deliberate bypasses within the window.
REPEAT_OFFENDER_BYPASS_THRESHOLD = env.int("REPEAT_OFFENDER_BYPASS_THRESHOLD", default=3)
REPEAT_OFFENDER_WINDOW_DAYS = env.int("REPEAT_OFFENDER_WINDOW_DAYS", default=90)

# --- Surveys -------------------------------------------------------------------------------
# Invite the customer to grade a resolved request this long after it was resolved (they have
# had time to see it works), remind them once if they have not answered, and stop asking after.
SURVEY_INVITE_DELAY_MINUTES = env.int("SURVEY_INVITE_DELAY_MINUTES", default=30)
SURVEY_REMINDER_AFTER_DAYS = env.int("SURVEY_REMINDER_AFTER_DAYS", default=3)
SURVEY_ANSWER_DAYS = env.int("SURVEY_ANSWER_DAYS", default=30)
# Off: a ticket is graded once, however often it is reopened. On: each resolution is graded, and
# an unanswered survey of an earlier resolution is withdrawn.
SURVEY_AGAIN_AFTER_REOPEN = env.bool("SURVEY_AGAIN_AFTER_REOPEN", default=False)

# --- Forms and UI ---------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
SITE_NAME = env("SITE_NAME", default="IT Service Desk")
# Where people reach the app; links in e-mails start with it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
