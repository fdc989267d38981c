"""Kiosque settings: one module, driven by environment variables (see README.md)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_required, env_str

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
    "django_prose_editor",
    "imagekit",
    "accounts",
    "magazine",
    "subscriptions",
    "events",
    "newsletters",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
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
DATABASES = {
    "default": dj_database_url.parse(
        _database_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

REDIS_URL = env_str("REDIS_URL") or ""

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kiosque",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or f"{SITE_NAME} <redaction@example.com>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: tasks run in-process when no broker is configured (embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not (env_str("CELERY_BROKER_URL") or REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "newsletters-start-due-campaigns": {
        "task": "newsletters.start_due_campaigns",
        "schedule": 60.0,
    },
    "newsletters-sweep": {"task": "newsletters.sweep", "schedule": 60.0},
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
for _name in ("NEWSLETTER_CHUNK_SIZE", "NEWSLETTER_LEASE_SECONDS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a positive integer")
if NEWSLETTER_RATE_LIMIT_PER_S < 0:
    raise ImproperlyConfigured("NEWSLETTER_RATE_LIMIT_PER_S must be 0 (no limit) or more")
# anymail: tracking webhooks (bounces, complaints) are protected by HTTP basic auth.
ANYMAIL = {"WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET") or ""}
if not ANYMAIL["WEBHOOK_SECRET"]:
    del ANYMAIL["WEBHOOK_SECRET"]

# Stripe keys (used by subscriptions.stripe_gateway).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY") or ""
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY") or ""
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET") or ""
# Offline Stripe (subscriptions.stripe_simulator): on by default in DEBUG without a secret key.
# It fakes payments, so production settings refuse it outright.
STRIPE_SIMULATOR = env_bool("STRIPE_SIMULATOR", DEBUG and not STRIPE_SECRET_KEY)
if STRIPE_SIMULATOR and not DEBUG:
    raise ImproperlyConfigured(
        "STRIPE_SIMULATOR fakes payments and is refused when DEBUG is off: "
        "set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET instead"
    )
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
CELERY_BEAT_SCHEDULE = {
    "stripe-reconcile-daily": {
        "task": "subscriptions.tasks.stripe_reconcile",
        "schedule": 24 * 60 * 60,
    },
}

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    # The Stripe SDK logs every request at INFO.
    "loggers": {"stripe": {"level": "WARNING"}},
}
