"""All of Jorgebot's settings, read from the environment.

Every name in DESIGN.md's contract table is read here and nowhere else. A secret may also be given
as a file: `NAME_FILE=/run/secrets/name` (Docker and Kubernetes secrets).
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name, "")
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = env(name, "")
    return int(value) if value.strip() else default


def envfloat(name: str, default: float) -> float:
    value = env(name, "")
    return float(value) if value.strip() else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def database_from_url(url: str, *, pool: bool, pool_max_size: int) -> dict[str, object]:
    """Turn `postgres://user:password@host:port/name?options` into Django's DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError("DATABASE_URL must be a postgres:// URL")
    options: dict[str, object] = {}
    # `?host=/run/postgresql` selects a Unix socket (the embedded server listens only on one).
    socket_dir = parse_qs(parts.query).get("host", [""])[0]
    if pool:
        # Django's psycopg pool: one per process. Workers are small, so a small pool is plenty.
        options["pool"] = {"min_size": 1, "max_size": pool_max_size, "timeout": 10}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "jorgebot",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": socket_dir or parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 0,
        # With the pool, a round trip per checkout, so that it hands out no connection PostgreSQL has dropped (a
        # restart, an idle timeout): a worker keeps its pool for many tasks (CELERY_DB_REUSE_MAX).
        "CONN_HEALTH_CHECKS": True,
    }


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server as `url`, another logical database (keeps the broker's keys apart)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def redis_db_of(url: str) -> int:
    path = urlsplit(url).path.lstrip("/")
    return int(path) if path.isdigit() else 0


DEBUG = envbool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    # The test suite and DEBUG may run on a throwaway key; production may not.
    if not DEBUG and "pytest" not in sys.modules:
        raise RuntimeError("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
# Fernet keys that encrypt GHL tokens at rest (leads.encryption), comma-separated: the first encrypts, all decrypt.
JORGEBOT_ENCRYPTION_KEYS = envlist("JORGEBOT_ENCRYPTION_KEYS", "")
if not JORGEBOT_ENCRYPTION_KEYS:
    # As with SECRET_KEY: a published key protects nothing, so only the tests and DEBUG may use it.
    if not DEBUG and "pytest" not in sys.modules:
        raise RuntimeError("JORGEBOT_ENCRYPTION_KEYS is required when DJANGO_DEBUG is off")
    # base64 of "insecure-development-key-0000000".
    JORGEBOT_ENCRYPTION_KEYS = ["aW5zZWN1cmUtZGV2ZWxvcG1lbnQta2V5LTAwMDAwMDA="]
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Django's admin with the broker's dashboard as its front page (console/site.py).
    "console.admin_config.BrokerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "cachalot",
    "axes",
    "leads",
    "bots",
    "bots.llm",
    "analytics",
    "alerts",
    # Who did what: every broker action, recorded by the console (audit.services.record_action).
    "audit",
    # The broker console: the admin, the dashboard, the REST API, broker actions and demo data. No models.
    "console",
]

MIDDLEWARE = [
    # First, so its timing covers the whole request; in-process counters only (jorgebot/metrics.py).
    "jorgebot.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The console's pages in the signed-in user's time zone (their choice, else their location's); the API in UTC.
    "console.local_time.LocalTimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jorgebot.urls"
WSGI_APPLICATION = "jorgebot.wsgi.application"
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
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jorgebot")
DATABASES = {
    "default": database_from_url(
        DATABASE_URL,
        # Tests close and reopen connections on purpose (database-down cases), which a pool hides.
        pool=envbool("DATABASE_POOL", "pytest" not in sys.modules),
        pool_max_size=envint("DATABASE_POOL_MAX_SIZE", 8),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One Redis, three logical databases: the app's (cache, locks, rate limits), the broker's, and
# cachalot's, so flushing the ORM cache can never drop queued Celery tasks.
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
_redis_db = redis_db_of(REDIS_URL)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", redis_url_with_db(REDIS_URL, _redis_db + 1))
CACHALOT_REDIS_URL = redis_url_with_db(REDIS_URL, _redis_db + 2)
# Django's Redis cache, counting hits and misses for /metrics.
CACHES = {
    "default": {"BACKEND": "jorgebot.metrics.CountingRedisCache", "LOCATION": REDIS_URL, "METRICS_NAME": "default"},
    "cachalot": {
        "BACKEND": "jorgebot.metrics.CountingRedisCache", "LOCATION": CACHALOT_REDIS_URL, "METRICS_NAME": "cachalot",
        "CLEAR_AFTER_OUTAGE": True,
    },
}
CACHALOT_ENABLED = envbool("JORGEBOT_CACHALOT", True)
# Cachalot checks the backend's dotted name only; ours is Django's RedisCache plus hit counters.
SILENCED_SYSTEM_CHECKS = ["cachalot.W001"]
CACHALOT_CACHE = "cachalot"
# Our only raw SQL write is the webhook insert, into a table cachalot never caches; parsing every
# raw statement for tables to invalidate cost 0.5 ms of CPU per webhook. Raw writes to a cached
# table must call cachalot.api.invalidate() themselves.
CACHALOT_INVALIDATE_RAW = False
# Cachalot is for the read-heavy dashboard tables; the hot write tables would only churn it. Claude's books
# (bots.llm) change with every call, and a spend limit or a bulk job must never be read stale.
# Notifications (alerts) change in the workers that send them, and their admin list must show it.
CACHALOT_UNCACHABLE_APPS = frozenset({"django_celery_beat", "llm", "axes", "alerts"})
# A turn reads the pending texts before its lock and again under it; a cached answer served between another
# worker's commit and its invalidation would answer one text twice. The kill switch, follow-ups and drafts
# must never be read stale either.
CACHALOT_UNCACHABLE_TABLES = frozenset(
    {"django_migrations", "leads_webhookevent", "leads_outboxmessage", "django_session", "leads_message",
     "bots_sendingswitch", "bots_followup", "bots_draft"}
)

# Django's model permissions are for staff; location members go by their memberships (console.auth). django-axes
# first: it refuses a sign-in while its username is locked out from that address.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "console.auth.StaffPermissionsBackend"]
# How many proxies in front of the app append to X-Forwarded-For (0: none, the header is ignored). The client
# address that sign-in throttles and lockouts count is the one the outermost trusted proxy saw.
JORGEBOT_TRUSTED_PROXY_COUNT = envint("JORGEBOT_TRUSTED_PROXY_COUNT", 0)
# Failed sign-ins (admin or API token) for one username from one address before it is locked out for a while;
# locking a username from everywhere would let anyone lock a broker out.
AXES_FAILURE_LIMIT = envint("JORGEBOT_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("JORGEBOT_SIGNIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "console.api.throttling.client_address"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# The admin and the API are in English (the bots speak Spanish from their own texts, not gettext); translation
# machinery cost about 0.6 ms of CPU on every admin page.
USE_I18N = False
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's answers, and a value PostgreSQL refuses (a NUL character) as a 400, not a 500.
    "EXCEPTION_HANDLER": "console.api.errors.exception_handler",
    # DRF's rate per user, counted with one Redis INCR per request (console/api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["console.api.throttling.PerUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("JORGEBOT_API_THROTTLE", "6000/min"),
        # Sign-ins for a token, per client address and per username: enough for scripts, too few to guess passwords.
        "anon": env("JORGEBOT_API_SIGNIN_THROTTLE", "30/min"),
        "signin_username": env("JORGEBOT_API_SIGNIN_USERNAME_THROTTLE", "10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jorgebot API",
    "DESCRIPTION": "Leads, conversations, scores and the bot simulator of a Jorgebot install.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page list every endpoint and field: for people and scripts that signed in.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The docs page loads Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# The admin dashboard's figures are recomputed at most this often per set of locations (0: every view).
JORGEBOT_DASHBOARD_CACHE_SECONDS = envint("JORGEBOT_DASHBOARD_CACHE_SECONDS", 30)

# /metrics answers only `Authorization: Bearer <token>`; without a token it is served only under DEBUG.
JORGEBOT_METRICS_TOKEN = env("JORGEBOT_METRICS_TOKEN", "")

# Security headers. The HTTPS-only ones (redirect, secure cookies, HSTS) are on unless DEBUG is; DJANGO_SECURE_SSL=0
# turns them off for plain http (a laptop, the test suite, benchmarks on loopback).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL", not DEBUG and "pytest" not in sys.modules)
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL_REDIRECT else 0
# Behind the TLS proxy, which must set X-Forwarded-Proto. Health checks and Prometheus reach the process directly.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL_REDIRECT else None
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]

# GoHighLevel.
GHL_API_BASE_URL = env("GHL_API_BASE_URL", "https://services.leadconnectorhq.com")
GHL_API_TOKEN = env("GHL_API_TOKEN", "")
GHL_LOCATION_ID = env("GHL_LOCATION_ID", "")
GHL_CALENDAR_ID = env("GHL_CALENDAR_ID", "")
# GHL's marketplace app (leads.oauth): installing it connects a location with no token to copy. Empty: off.
GHL_OAUTH_CLIENT_ID = env("GHL_OAUTH_CLIENT_ID", "")
GHL_OAUTH_CLIENT_SECRET = env("GHL_OAUTH_CLIENT_SECRET", "")
GHL_OAUTH_REDIRECT_URL = env("GHL_OAUTH_REDIRECT_URL", "")
GHL_OAUTH_AUTHORIZE_URL = env("GHL_OAUTH_AUTHORIZE_URL", "https://marketplace.gohighlevel.com/oauth/chooselocation")
# What the bots need: send texts, read and tag contacts, read calendars and book, read the location.
GHL_OAUTH_SCOPES = env(
    "GHL_OAUTH_SCOPES",
    "conversations.readonly conversations/message.write contacts.readonly contacts.write "
    "calendars.readonly calendars/events.write locations.readonly",
)
# Access tokens last about a day; beat renews those expiring within this margin, a client about to be built on
# one that expires within a few minutes renews it first (leads/ghl/connect.py).
GHL_OAUTH_REFRESH_MARGIN_SECONDS = envint("GHL_OAUTH_REFRESH_MARGIN_SECONDS", 2 * 3600)
# Empty means GHL's published keys (leads/ghl/signatures.py).
GHL_WEBHOOK_ED25519_PUBLIC_KEY = env("GHL_WEBHOOK_ED25519_PUBLIC_KEY", "")
GHL_WEBHOOK_RSA_PUBLIC_KEY = env("GHL_WEBHOOK_RSA_PUBLIC_KEY", "")
GHL_WORKFLOW_WEBHOOK_SECRET = env("GHL_WORKFLOW_WEBHOOK_SECRET", "")
GHL_TIMEOUT_SECONDS = envfloat("GHL_TIMEOUT_SECONDS", 10.0)
# GHL allows 100 requests per 10 seconds per location.
GHL_RATE_LIMIT_CAPACITY = envint("GHL_RATE_LIMIT_CAPACITY", 100)
GHL_RATE_LIMIT_PER_SECOND = envfloat("GHL_RATE_LIMIT_PER_SECOND", 10.0)
# In-process attempts per GHL call; past them a Celery retry takes over.
GHL_MAX_ATTEMPTS = envint("GHL_MAX_ATTEMPTS", 3)
GHL_BACKOFF_SECONDS = envfloat("GHL_BACKOFF_SECONDS", 0.5)
# A write to GHL that fails is tried again for this long from its first failure, then marked failed (a text tags
# the lead Delivery-Failed); opt-out tags and do-not-disturb writes are tried until GHL takes them.
JORGEBOT_DELIVERY_RETRY_HOURS = envfloat("JORGEBOT_DELIVERY_RETRY_HOURS", 24.0)
# The first wait after a failure; it doubles per failure, up to the cap (writes, turns).
JORGEBOT_DELIVERY_RETRY_SECONDS = envfloat("JORGEBOT_DELIVERY_RETRY_SECONDS", 5.0)
JORGEBOT_RETRY_MAX_BACKOFF_SECONDS = envfloat("JORGEBOT_RETRY_MAX_BACKOFF_SECONDS", 900.0)
# A write or a turn that failed in our own code this many times is parked for a person (the admin retries it).
JORGEBOT_PARK_AFTER_FAILURES = envint("JORGEBOT_PARK_AFTER_FAILURES", 5)
# After a text timed out at GHL, wait this long for GHL's echo of it before sending it again.
JORGEBOT_ECHO_WAIT_SECONDS = envfloat("JORGEBOT_ECHO_WAIT_SECONDS", 30.0)
MAX_WEBHOOK_BODY_BYTES = 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = max(MAX_WEBHOOK_BODY_BYTES, 2_621_440)

# Anthropic (bots/llm/). Without a key every bot runs on the offline engine.
ANTHROPIC_API_KEY = env("ANTHROPIC_API_KEY", "")
ANTHROPIC_BASE_URL = env("ANTHROPIC_BASE_URL", "")
# A small fast model reads the lead's texts; a stronger one phrases the bot's replies.
JORGEBOT_LLM_EXTRACTION_MODEL = env("JORGEBOT_LLM_EXTRACTION_MODEL", "claude-haiku-4-5")
JORGEBOT_LLM_PHRASING_MODEL = env("JORGEBOT_LLM_PHRASING_MODEL", "claude-sonnet-4-6")
# One HTTP call to Anthropic; a reply's remaining time budget shortens it further.
JORGEBOT_LLM_TIMEOUT_SECONDS = envfloat("JORGEBOT_LLM_TIMEOUT_SECONDS", 10.0)
JORGEBOT_LLM_CONNECT_TIMEOUT_SECONDS = envfloat("JORGEBOT_LLM_CONNECT_TIMEOUT_SECONDS", 2.0)
# Counted from when a reply is due (the lead's last text plus the debounce window): Claude's retries
# fit inside it, and past it the turn answers with the offline engine.
JORGEBOT_LLM_REPLY_BUDGET_SECONDS = envfloat("JORGEBOT_LLM_REPLY_BUDGET_SECONDS", 2.5)
# First Celery backoff after a 429/529/5xx/timeout; it doubles per attempt, with jitter.
JORGEBOT_LLM_RETRY_BASE_SECONDS = envfloat("JORGEBOT_LLM_RETRY_BASE_SECONDS", 0.25)
# Calls in flight to Anthropic from every worker together (a Redis semaphore).
JORGEBOT_LLM_MAX_CONCURRENCY = envint("JORGEBOT_LLM_MAX_CONCURRENCY", 20)
# Identical requests (same model, prompt and inputs) are answered from Redis for this long.
JORGEBOT_LLM_CACHE_TTL_SECONDS = envint("JORGEBOT_LLM_CACHE_TTL_SECONDS", 24 * 3600)
# Per location and local day; `bot_settings["llm_daily_spend_limit_usd"]` overrides it.
JORGEBOT_LLM_DAILY_SPEND_LIMIT_USD = envfloat("JORGEBOT_LLM_DAILY_SPEND_LIMIT_USD", 5.0)
# The circuit opens after this many failed calls within the window, for the cooldown; when the
# account itself is refused (credits ran out, key revoked) it opens for the longer cooldown.
JORGEBOT_LLM_BREAKER_FAILURES = envint("JORGEBOT_LLM_BREAKER_FAILURES", 5)
JORGEBOT_LLM_BREAKER_WINDOW_SECONDS = envfloat("JORGEBOT_LLM_BREAKER_WINDOW_SECONDS", 30.0)
JORGEBOT_LLM_BREAKER_COOLDOWN_SECONDS = envfloat("JORGEBOT_LLM_BREAKER_COOLDOWN_SECONDS", 30.0)
JORGEBOT_LLM_ACCOUNT_COOLDOWN_SECONDS = envfloat("JORGEBOT_LLM_ACCOUNT_COOLDOWN_SECONDS", 600.0)
# How often a nightly Message Batch is polled until it ends.
JORGEBOT_LLM_BATCH_POLL_SECONDS = envfloat("JORGEBOT_LLM_BATCH_POLL_SECONDS", 60.0)
# The nightly re-reading of stalled conversations: those the lead texted in the last so many days, at most so many
# a location each night.
JORGEBOT_LLM_REREAD_DAYS = envint("JORGEBOT_LLM_REREAD_DAYS", 14)
JORGEBOT_LLM_REREAD_PER_LOCATION = envint("JORGEBOT_LLM_REREAD_PER_LOCATION", 500)

# Notifications (alerts/): email through Django's SMTP backend, and chat incoming webhooks (Slack, Teams).
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envfloat("EMAIL_TIMEOUT", 10.0)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "jorgebot@localhost")
# Where brokers reach this install: the links in notifications are built on it.
JORGEBOT_PUBLIC_URL = env("JORGEBOT_PUBLIC_URL", "http://localhost:8000")
JORGEBOT_ALERTS_TIMEOUT_SECONDS = envfloat("JORGEBOT_ALERTS_TIMEOUT_SECONDS", 10.0)
# A notification that cannot be sent is tried this many times, the wait doubling from the first (capped at 60 s).
JORGEBOT_ALERTS_MAX_ATTEMPTS = envint("JORGEBOT_ALERTS_MAX_ATTEMPTS", 6)
JORGEBOT_ALERTS_RETRY_SECONDS = envfloat("JORGEBOT_ALERTS_RETRY_SECONDS", 10.0)

# Conversation timing.
JORGEBOT_REPLY_DEBOUNCE_SECONDS = envfloat("JORGEBOT_REPLY_DEBOUNCE_SECONDS", 3.0)
# How long the bot sleeps after a human in GHL texts the lead.
JORGEBOT_HUMAN_TAKEOVER_HOURS = envfloat("JORGEBOT_HUMAN_TAKEOVER_HOURS", 24.0)
# Global kill switch: nothing is sent while it is on.
JORGEBOT_SENDING_PAUSED = envbool("JORGEBOT_SENDING_PAUSED", False)
# Webhook events are handed to the worker in batches collected over this window (0: one by one).
JORGEBOT_WEBHOOK_BATCH_SECONDS = envfloat("JORGEBOT_WEBHOOK_BATCH_SECONDS", 0.025)
# A stored event not processed within this many seconds is re-enqueued by the sweeper.
JORGEBOT_SWEEP_AFTER_SECONDS = envint("JORGEBOT_SWEEP_AFTER_SECONDS", 60)

# Analytics: a lead "went cold" after this many days without a text from them (the churn label, analytics.churn).
JORGEBOT_CHURN_SILENCE_DAYS = envint("JORGEBOT_CHURN_SILENCE_DAYS", 14)

# Celery.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
# A task held by a worker that died comes back after the visibility timeout (Redis broker). It
# should exceed the longest countdown we schedule (a minute: longer waits are the sweeper's), else a
# waiting task is delivered twice; every task here is idempotent, so that costs only work. Ten
# minutes, not Celery's hour: a lead whose turn died with a worker should not wait an hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 600),
    "unacked_restore_interval": envint("CELERY_UNACKED_RESTORE_SECONDS", 10),
    "unacked_restore_throttle": 1,
}
# Celery's Django fixup closes every database connection before and after each task, and in a prefork worker the
# whole pool with it: each task paid for a new PostgreSQL connection. It closes them every so many tasks instead;
# after each task jorgebot.celery hands the connection back to the pool, as the end of a request does.
CELERY_DB_REUSE_MAX = envint("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_DEFAULT_QUEUE = "bots"
CELERY_TASK_ROUTES = {
    # Applying GHL's events, and re-enqueuing those a lost message left behind, go to the webhooks' own worker.
    "bots.tasks.handle_webhook_events": {"queue": "webhooks"},
    "bots.tasks.sweep_stuck_work": {"queue": "webhooks"},
    "leads.connection_tasks.*": {"queue": "webhooks"},
    "bots.tasks.*": {"queue": "bots"},
    "bots.llm.tasks.*": {"queue": "llm"},
    "analytics.tasks.*": {"queue": "analytics"},
    # Sending mail and chat messages waits on other servers, as Claude's calls do: not on the turns' worker.
    "alerts.tasks.*": {"queue": "llm"},
}
# Task modules outside an app's tasks.py, which autodiscovery finds alone.
CELERY_IMPORTS = ("leads.connection_tasks",)
CELERY_BEAT_SCHEDULER = "jorgebot.beat:SeedingScheduler"
# Seeds django-celery-beat's tables at beat start with the entries they lack; edits in the admin survive restarts.
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-work": {"task": "bots.tasks.sweep_stuck_work", "schedule": 60.0},
    # Well inside GHL_OAUTH_REFRESH_MARGIN_SECONDS, so a token is renewed a few times over before it could expire.
    "renew-ghl-tokens": {"task": "leads.connection_tasks.renew_expiring_ghl_tokens", "schedule": 600.0},
    # Follow-ups and deferred texts go out within a minute of their time; the pause timer is coarser.
    "dispatch-follow-ups": {"task": "bots.tasks.dispatch_follow_ups", "schedule": 60.0},
    "release-deferred-texts": {"task": "bots.tasks.release_deferred_texts", "schedule": 60.0},
    "wake-paused-bots": {"task": "bots.tasks.wake_paused_bots", "schedule": 300.0},
    # Stalled conversations are re-read by a Message Batch two hours before the analytics, so that most answers
    # it finds are in when the leads are rescored.
    "reread-stalled-conversations": {
        "task": "bots.llm.tasks.reread_stalled_conversations", "schedule": crontab(minute=0, hour=7),
    },
    # Analytics at 09:00 UTC, 1 to 5 am across US time zones: rescoring, churn and the forecast in one run that
    # reads each lead once; retraining on Sundays just before it, so the new models score that night.
    "retrain-models": {"task": "analytics.tasks.retrain_models", "schedule": crontab(minute=30, hour=8, day_of_week=0)},
    "nightly-analytics": {"task": "analytics.tasks.run_nightly_analytics", "schedule": crontab(minute=0, hour=9)},
    # The notifications' daily digest at 14:00 UTC, 6 to 9 am across US time zones.
    "send-alert-digests": {"task": "alerts.tasks.send_daily_digests", "schedule": crontab(minute=0, hour=14)},
    "resend-stuck-alerts": {"task": "alerts.tasks.resend_stuck_notifications", "schedule": 300.0},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("JORGEBOT_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
