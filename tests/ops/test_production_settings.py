"""Production settings read from the environment: S3 media, Sentry, log format, anymail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-that-is-not-used-anywhere-0123456789",
    "ALLOWED_HOSTS": "magazine.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/kiosque",
}
# Anything the test run or the developer's shell set that these settings read.
CLEARED = {"DEBUG", "SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_TRACES_SAMPLE_RATE", "LOG_FORMAT"}
CLEARED_PREFIXES = ("AWS_", "ANYMAIL_", "EMAIL_")


def django_shell(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh process whose settings come from PRODUCTION_ENV plus `env`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in CLEARED and not k.startswith(CLEARED_PREFIXES)
    }
    clean.update(PRODUCTION_ENV)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


STORAGE = (
    "from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__module__, type(s).__name__); "
    "print(getattr(s, 'bucket_name', '-'), s.url('renditions/une.jpg'))"
)


def test_media_go_to_s3_when_a_bucket_is_named() -> None:
    result = django_shell(
        STORAGE,
        AWS_STORAGE_BUCKET_NAME="rcm-media",
        AWS_S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud",
        AWS_S3_REGION_NAME="fr-par",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="not-a-real-secret",
        AWS_S3_CUSTOM_DOMAIN="media.example.com",
    )

    assert result.returncode == 0, result.stderr
    kind, location = result.stdout.strip().splitlines()
    assert kind == "storages.backends.s3 S3Storage"
    # Public, unsigned URLs on the custom domain: they stay valid inside cached pages.
    assert location == "rcm-media https://media.example.com/renditions/une.jpg"


def test_media_stay_on_the_filesystem_without_a_bucket() -> None:
    result = django_shell(STORAGE)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("django.core.files.storage.filesystem FileSystemStorage")


SENTRY = (
    "import sentry_sdk; c = sentry_sdk.get_client(); "
    "print(c.is_active(), c.options.get('send_default_pii'), c.options.get('environment'), "
    "c.options.get('traces_sample_rate'), sorted(k for k in ('django', 'celery') "
    "if k in c.integrations))"
)


def test_sentry_starts_only_when_a_dsn_is_given() -> None:
    without = django_shell(SENTRY)
    with_dsn = django_shell(
        SENTRY,
        SENTRY_DSN="https://publickey@o0.ingest.sentry.io/0",
        SENTRY_ENVIRONMENT="staging",
    )

    assert without.returncode == 0, without.stderr
    assert without.stdout.startswith("False")
    assert with_dsn.returncode == 0, with_dsn.stderr
    assert with_dsn.stdout.strip() == "True False staging 0.0 ['celery', 'django']"


def test_sentry_refuses_a_sample_rate_outside_zero_to_one() -> None:
    result = django_shell(
        SENTRY,
        SENTRY_DSN="https://publickey@o0.ingest.sentry.io/0",
        SENTRY_TRACES_SAMPLE_RATE="5",
    )

    assert result.returncode != 0
    assert "SENTRY_TRACES_SAMPLE_RATE must be a number between 0 and 1" in result.stderr


FORMATTER = (
    "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
)


def test_logs_are_json_in_production_and_text_in_debug() -> None:
    production = django_shell(FORMATTER)
    debug = django_shell(FORMATTER, DEBUG="true")
    chosen = django_shell(FORMATTER, LOG_FORMAT="text")

    assert [r.stdout.strip() for r in (production, debug, chosen)] == ["json", "text", "text"]


def test_an_unknown_log_format_is_refused() -> None:
    result = django_shell(FORMATTER, LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text" in result.stderr


EMAIL = (
    "from django.conf import settings; "
    "print(settings.EMAIL_BACKEND); print(sorted(settings.ANYMAIL))"
)


def test_anymail_esp_selects_the_backend_and_reads_its_json_settings() -> None:
    result = django_shell(
        EMAIL,
        ANYMAIL_ESP="mailgun",
        ANYMAIL_CONFIG='{"MAILGUN_API_KEY": "key-123", "MAILGUN_SENDER_DOMAIN": "mg.example.com"}',
        ANYMAIL_WEBHOOK_SECRET="user:pass",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "anymail.backends.mailgun.EmailBackend",
        "['MAILGUN_API_KEY', 'MAILGUN_SENDER_DOMAIN', 'WEBHOOK_SECRET']",
    ]


def test_an_unknown_anymail_esp_is_refused() -> None:
    result = django_shell(EMAIL, ANYMAIL_ESP="pigeon")

    assert result.returncode != 0
    assert "ANYMAIL_ESP: 'pigeon' is not an anymail backend" in result.stderr


def test_anymail_config_must_be_a_json_object() -> None:
    broken = django_shell(EMAIL, ANYMAIL_CONFIG="{MAILGUN_API_KEY: key}")
    not_object = django_shell(EMAIL, ANYMAIL_CONFIG='["MAILGUN_API_KEY"]')

    assert broken.returncode != 0
    assert "ANYMAIL_CONFIG must be a JSON object" in broken.stderr
    assert not_object.returncode != 0
    assert "ANYMAIL_CONFIG must be a JSON object" in not_object.stderr


def test_bad_heartbeat_settings_are_refused() -> None:
    result = django_shell(
        "print(1)", HEALTH_CELERY_HEARTBEAT_INTERVAL="60", HEALTH_CELERY_HEARTBEAT_MAX_AGE="30"
    )

    assert result.returncode != 0
    assert "HEALTH_CELERY_HEARTBEAT_INTERVAL must be positive and below" in result.stderr


def test_beat_schedules_the_periodic_jobs_of_every_app() -> None:
    from django.conf import settings

    assert {
        "newsletters-start-due-campaigns",
        "newsletters-sweep",
        "stripe-reconcile-daily",
        "events-holds-expire",
    } <= set(settings.CELERY_BEAT_SCHEDULE)
