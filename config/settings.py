"""Kiosque settings: one module, driven by environment variables (see README.md)."""

from __future__ import annotations

import importlib.util
import ipaddress
import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_float, env_int, env_list, env_required, env_str
from config.logging import logging_config, parse_sample_rate, sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

# There is deliberately no fallback secret outside DEBUG: production must bring its own.
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-kiosque-debug-only"
else:
    SECRET_KEY = env_required("SECRET_KEY", "it signs sessions, gift links and unsubscribe links")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Reverse proxies (IPs or CIDR ranges) whose X-Forwarded-For is believed: IP licences depend on
# the client address, so nothing else may set it (subscriptions.network).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or CIDR range"
        ) from _exc

SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
# In DEBUG without SITE_URL, absolute links follow the host and port each request came to
# (core.site): only the development server knows which port it serves.
SITE_URL_FROM_REQUEST = DEBUG and not env_str("SITE_URL")
SITE_NAME = env_str("SITE_NAME") or "Relation Client Magazine"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_ratelimit",
    "django_prose_editor",
    "imagekit",
    "core",
    "accounts",
    "magazine",
    "subscriptions",
    "events",
    "newsletters",
]

MIDDLEWARE = [
    # First: it times the whole stack and logs redirects and static files too (config.middleware).
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.site.SiteURLMiddleware",
    # django-csp, with a narrower relaxation for the admin (accounts.middleware).
    "accounts.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

# The benchmarks add a bare "floor" view through their own URLconf (bench/urls.py).
ROOT_URLCONF = env_str("ROOT_URLCONF") or "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "magazine.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file when nothing is configured in DEBUG, PostgreSQL in production and CI.
_database_url = env_str("DATABASE_URL")
if not _database_url:
    if not DEBUG:
        raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG is off")
    _database_url = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# Health checks cost a round trip ("SELECT 1") at the start of every request that touches the
# database. Without them a connection broken by a database restart fails the one request that
# finds it, and Django then closes it (errors mark it unusable); turn them on where the database
# or a proxy in front of it drops idle connections often.
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# The paywall's per-request query is prepared once per connection (core.db). Turn it off behind a
# PgBouncer in transaction mode older than 1.22 (or with max_prepared_statements = 0).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)

REDIS_URL = env_str("REDIS_URL") or ""

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's backend, reusing one Redis client per pool (see config/cache.py).
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kiosque",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The article pages' caches (magazine.page_cache): how long an anonymous page and a reader-free
# skeleton are kept (0: not at all), and how long each process trusts the cache versions it last
# read. An in-process cache is read without a round trip: nothing to save by remembering it.
KIOSQUE_ANONYMOUS_PAGE_CACHE_SECONDS = env_int("ANONYMOUS_PAGE_CACHE_SECONDS", 60)
KIOSQUE_ARTICLE_SKELETON_CACHE_SECONDS = env_int("ARTICLE_SKELETON_CACHE_SECONDS", 60)
KIOSQUE_CACHE_VERSIONS_MEMO_SECONDS = env_float(
    "CACHE_VERSIONS_MEMO_SECONDS", 1.0 if REDIS_URL else 0.0
)
for _name in (
    "KIOSQUE_ANONYMOUS_PAGE_CACHE_SECONDS",
    "KIOSQUE_ARTICLE_SKELETON_CACHE_SECONDS",
    "KIOSQUE_CACHE_VERSIONS_MEMO_SECONDS",
):
    if globals()[_name] < 0:
        raise ImproperlyConfigured(f"{_name.removeprefix('KIOSQUE_')} must be 0 or more")

# Every signed-in page loads the session: from the shared cache it costs no query (writes still go
# to the database too). Only with a shared cache: a per-process one would keep a session that
# another process has logged out. Both stores keep the account's id beside the session, which
# lets the article page read session, account and paywall facts in one query (accounts.sessions).
SESSION_ENGINE = "accounts.sessions.cached_db" if REDIS_URL else "accounts.sessions.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, able to take the account from the paywall's query.
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env_bool("FAST_PASSWORD_HASHER", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "magazine:home"
SITE_ID = 1

# django-allauth: login by email, no usernames.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION") or "optional"
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# Adds the newsletter choice (double opt-in) to the signup form: allauth calls its signup().
ACCOUNT_SIGNUP_FORM_CLASS = "newsletters.forms.SignupNewslettersForm"
# The client address for allauth's rate limits comes from subscriptions.network (TRUSTED_PROXIES).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# allauth's own limits, spelled out (cache: the default one, Redis in production). "key" is the
# email address tried, so one account cannot be guessed at from many addresses either.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip,100/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}

# Two-factor authentication (allauth.mfa): an authenticator app, with recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Staff without an authenticator are sent to set one up before using the admin
# (accounts.middleware.StaffMFAMiddleware). Off in DEBUG so the demo editor works at once.
KIOSQUE_STAFF_MFA_REQUIRED = env_bool("KIOSQUE_STAFF_MFA_REQUIRED", not DEBUG)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
# Media are served by Django only in development and tests; production uses object storage.
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Media on S3-compatible object storage (django-storages) once a bucket is named: every app
# server and worker then sees the same uploads. Credentials may also come from the instance role.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME") or ""
# Article images are public and appear in cached pages: signed URLs would expire under them
# (magazine.images reads it with or without a bucket).
AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", False)
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY") or None
    AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN") or None
    # Like the filesystem: a second upload named photo.jpg must not replace the first.
    AWS_S3_FILE_OVERWRITE = False
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "public, max-age=31536000"}
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}

# Uploads: images are validated in magazine.images; keep request bodies bounded.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
KIOSQUE_IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
KIOSQUE_IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
KIOSQUE_ARTICLES_PER_PAGE = 12

# imagekit: renditions are generated when an image is saved, never checked at render time.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "renditions"

# Email: console in DEBUG when nothing is configured; SMTP or an anymail ESP otherwise.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that stops answering must not hold a worker (and its lease) for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or f"{SITE_NAME} <redaction@example.com>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: tasks run in-process when no broker is configured (embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not (env_str("CELERY_BROKER_URL") or REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker outage of any length: workers and beat wait for Redis and reconnect, never exit.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Tasks already running when the broker goes finish their work: the database lease, not the
# broker, guards a delivery, and cancelling a chunk mid-send could send its message in flight
# twice. (The messages lost with a Redis restart are replaced by the sweeper from the database.)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TIMEZONE = TIME_ZONE
# The sweeper also restarts campaigns whose queued tasks the broker lost (a Redis restart).
NEWSLETTER_SWEEP_INTERVAL_S = env_int("NEWSLETTER_SWEEP_INTERVAL_S", 60)
CELERY_BEAT_SCHEDULE = {
    "newsletters-start-due-campaigns": {
        "task": "newsletters.start_due_campaigns",
        "schedule": 60.0,
    },
    "newsletters-sweep": {
        "task": "newsletters.sweep",
        "schedule": float(NEWSLETTER_SWEEP_INTERVAL_S),
    },
}

# Newsletters (newsletters.delivery): a global send rate per provider, shared through Redis.
NEWSLETTER_RATE_LIMIT_PER_S = env_int("NEWSLETTER_RATE_LIMIT_PER_S", 0)
NEWSLETTER_RATE_LIMIT_KEY = env_str("NEWSLETTER_RATE_LIMIT_KEY") or ""
NEWSLETTER_RATE_LIMIT_REDIS_URL = env_str("NEWSLETTER_RATE_LIMIT_REDIS_URL") or REDIS_URL
NEWSLETTER_CHUNK_SIZE = env_int("NEWSLETTER_CHUNK_SIZE", 200)
NEWSLETTER_LEASE_SECONDS = env_int("NEWSLETTER_LEASE_SECONDS", 600)
NEWSLETTER_RETRY_BACKOFF_S = env_int("NEWSLETTER_RETRY_BACKOFF_S", 60)
NEWSLETTER_SWEEP_MAX_TASKS = env_int("NEWSLETTER_SWEEP_MAX_TASKS", 8)
NEWSLETTER_CONFIRMATION_MAX_AGE_DAYS = env_int("NEWSLETTER_CONFIRMATION_MAX_AGE_DAYS", 7)
NEWSLETTER_FROM_EMAIL = env_str("NEWSLETTER_FROM_EMAIL") or ""
for _name in ("NEWSLETTER_CHUNK_SIZE", "NEWSLETTER_LEASE_SECONDS", "NEWSLETTER_SWEEP_INTERVAL_S"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a positive integer")
if NEWSLETTER_RATE_LIMIT_PER_S < 0:
    raise ImproperlyConfigured("NEWSLETTER_RATE_LIMIT_PER_S must be 0 (no limit) or more")
# anymail: tracking webhooks (bounces, complaints) are protected by HTTP basic auth.
ANYMAIL = {"WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET") or ""}
if not ANYMAIL["WEBHOOK_SECRET"]:
    del ANYMAIL["WEBHOOK_SECRET"]
# An email provider through anymail: ANYMAIL_ESP names its backend (mailgun, postmark, brevo,
# amazon_ses...) and ANYMAIL_CONFIG carries its settings as JSON ({"MAILGUN_API_KEY": "..."}).
ANYMAIL_ESP = env_str("ANYMAIL_ESP") or ""
if ANYMAIL_ESP:
    if not ANYMAIL_ESP.isidentifier() or not importlib.util.find_spec(
        f"anymail.backends.{ANYMAIL_ESP}"
    ):
        raise ImproperlyConfigured(
            f"ANYMAIL_ESP: {ANYMAIL_ESP!r} is not an anymail backend "
            "(see https://anymail.dev/en/stable/esps/)"
        )
    if not env_str("EMAIL_BACKEND"):
        EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
try:
    _anymail_config = json.loads(env_str("ANYMAIL_CONFIG") or "{}")
except ValueError as _exc:
    raise ImproperlyConfigured(f"ANYMAIL_CONFIG must be a JSON object: {_exc}") from _exc
if not isinstance(_anymail_config, dict):
    raise ImproperlyConfigured("ANYMAIL_CONFIG must be a JSON object of anymail settings")
ANYMAIL.update(_anymail_config)

# Stripe keys (used by subscriptions.stripe_gateway).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY") or ""
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY") or ""
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET") or ""
# Seconds before a Stripe call gives up: a reader waiting on Checkout gets an answer in time,
# not after the SDK's 80-second default.
STRIPE_TIMEOUT_SECONDS = env_int("STRIPE_TIMEOUT_SECONDS", 4)
# Offline Stripe (the development app stripe_simulator): on by default in DEBUG without a secret
# key. It fakes payments, so production settings refuse it outright; the app is installed, and
# its pages mounted (config/urls.py), only when it is on.
STRIPE_SIMULATOR = env_bool("STRIPE_SIMULATOR", DEBUG and not STRIPE_SECRET_KEY)
if STRIPE_SIMULATOR and not DEBUG:
    raise ImproperlyConfigured(
        "STRIPE_SIMULATOR fakes payments and is refused when DEBUG is off: "
        "set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET instead"
    )
if STRIPE_SIMULATOR:
    INSTALLED_APPS.append("stripe_simulator")
if STRIPE_SIMULATOR and not STRIPE_WEBHOOK_SECRET:
    STRIPE_WEBHOOK_SECRET = "whsec_simulator_debug_only"  # noqa: S105 - simulator only
# Shared by every process of `make run` (web, worker, shell); None keeps the state in memory.
STRIPE_SIMULATOR_STATE_FILE: Path | None = Path(
    env_str("STRIPE_SIMULATOR_STATE_FILE") or BASE_DIR / "var" / "stripe_simulator.json"
)
# "inprocess" calls the webhook view directly; "http" POSTs to SITE_URL like Stripe would.
STRIPE_SIMULATOR_DELIVERY = env_str("STRIPE_SIMULATOR_DELIVERY") or "inprocess"
if STRIPE_SIMULATOR_DELIVERY not in {"inprocess", "http"}:
    raise ImproperlyConfigured("STRIPE_SIMULATOR_DELIVERY must be inprocess or http")
# update(), not a new dict: the newsletters' schedule above must survive.
CELERY_BEAT_SCHEDULE.update(
    {
        "stripe-reconcile-daily": {
            "task": "subscriptions.tasks.stripe_reconcile",
            "schedule": 24 * 60 * 60,
        },
    }
)

# Events: how long an unpaid seat is held, how long a waiting-list offer lasts, and when
# attendees' personal data is erased after their event (GDPR).
EVENTS_HOLD_MINUTES = env_int("EVENTS_HOLD_MINUTES", 30)
EVENTS_WAITLIST_OFFER_HOURS = env_int("EVENTS_WAITLIST_OFFER_HOURS", 24)
EVENTS_ANONYMISE_AFTER_DAYS = env_int("EVENTS_ANONYMISE_AFTER_DAYS", 90)
for _name in ("EVENTS_HOLD_MINUTES", "EVENTS_WAITLIST_OFFER_HOURS", "EVENTS_ANONYMISE_AFTER_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
CELERY_BEAT_SCHEDULE.update(
    {
        "events-holds-expire": {"task": "events.tasks.holds_expire", "schedule": 60},
        "events-waitlist-offers-expire": {
            "task": "events.tasks.waitlist_offers_expire",
            "schedule": 5 * 60,
        },
        "events-reminders-send": {"task": "events.tasks.reminders_send", "schedule": 15 * 60},
        "events-anonymise": {
            "task": "events.tasks.registrations_anonymise",
            "schedule": 24 * 60 * 60,
        },
        "accounts-sessions-clear-expired": {
            "task": "accounts.tasks.sessions_clear_expired",
            "schedule": 24 * 60 * 60,
        },
    }
)

# Owed tasks (core.outbox): the emails of events and billing are written to the database with
# the change that calls for them. The sweeper publishes those whose message was lost (broker
# down, Redis restarted) or whose worker died once its lease is over.
OUTBOX_SWEEP_INTERVAL_S = env_int("OUTBOX_SWEEP_INTERVAL_S", 60)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
for _name in ("OUTBOX_SWEEP_INTERVAL_S", "OUTBOX_LEASE_SECONDS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a positive integer")
CELERY_BEAT_SCHEDULE.update(
    {
        "outbox-sweep": {
            "task": "core.tasks.outbox_sweep",
            "schedule": float(OUTBOX_SWEEP_INTERVAL_S),
        }
    }
)

# Security: strict by default outside DEBUG (manage.py check --deploy is clean).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []

# Content-Security-Policy (django-csp 4). Nothing inline runs on the site; the admin gets inline
# styles and the hash of its import map added per response (accounts.middleware).
MEDIA_HOST = (env_str("MEDIA_HOST") or "").rstrip("/")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([MEDIA_HOST] if MEDIA_HOST else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Chromium applies form-action to the redirect after a POST: checkout and the billing
        # portal answer with a 303 to Stripe's hosted pages.
        "form-action": ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"],
    },
}

# Rate limits on our own views (accounts.ratelimits), counted in the default cache. Without Redis
# the counts are per process: django-ratelimit's check says so, which is accepted for development
# and single-process installs.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "accounts.views.too_many_requests"
KIOSQUE_RATE_LIMITS = {
    "newsletter_subscribe": env_str("RATE_LIMIT_NEWSLETTER") or "20/h",
    "gift_links": env_str("RATE_LIMIT_GIFTS") or "60/h",
    "event_registration": env_str("RATE_LIMIT_EVENTS") or "30/h",
    "account_delete": "10/h",
}
# config.cache.RedisCache is Django's Redis backend (atomic INCR) under another name.
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003"]

# Logs: one line per record on stderr, JSON for machines unless DEBUG (config.logging); every
# line carries the request id, and each request and Celery task writes one summary line.
LOG_FORMAT = env_str("LOG_FORMAT") or ("text" if DEBUG else "json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env_str("LOG_LEVEL") or "INFO")
# Workers log through LOGGING too, rather than Celery's own text format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# /healthz (config.health): workers beat every interval; the check fails past the max age.
HEALTH_CHECK = {
    "CELERY_HEARTBEAT_INTERVAL": env_int("HEALTH_CELERY_HEARTBEAT_INTERVAL", 15),
    "CELERY_HEARTBEAT_MAX_AGE": env_int("HEALTH_CELERY_HEARTBEAT_MAX_AGE", 60),
}
if not 0 < HEALTH_CHECK["CELERY_HEARTBEAT_INTERVAL"] < HEALTH_CHECK["CELERY_HEARTBEAT_MAX_AGE"]:
    raise ImproperlyConfigured(
        "HEALTH_CELERY_HEARTBEAT_INTERVAL must be positive and below "
        "HEALTH_CELERY_HEARTBEAT_MAX_AGE"
    )
# Load balancers probe over plain HTTP, behind the TLS they terminate.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Error reporting (optional): Sentry for web and workers, without personal data.
SENTRY_DSN = env_str("SENTRY_DSN") or ""
if SENTRY_DSN:
    sentry_init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT") or ("development" if DEBUG else "production"),
        traces_sample_rate=parse_sample_rate(
            "SENTRY_TRACES_SAMPLE_RATE", env_str("SENTRY_TRACES_SAMPLE_RATE")
        ),
    )
