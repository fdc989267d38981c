"""Log format (JSON lines or text), the request id every line carries, and error reporting."""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Set by config.middleware.RequestIdMiddleware for a request and by config.celery for a task, so
# that every line logged while serving either names the request that started it.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# What we accept as an incoming X-Request-ID: proxies and load balancers send UUIDs or hex ids;
# anything else could smuggle spaces, quotes or newlines into logs and headers.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}")

LOG_FORMATS = ("json", "text")


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request id ("-" outside requests and tasks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING dict: one line per record on stderr, JSON or text, with the request id."""
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{levelname}{name}{message}{request_id}",
                "style": "{",
                # ISO 8601 in UTC, to the microsecond.
                "timestamp": "time",
                "rename_fields": {"levelname": "level", "name": "logger"},
            },
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # The Stripe SDK logs every request at INFO.
            "stripe": {"level": "WARNING"},
            # Our middleware writes the one line per request; Django's own would repeat 4xx/5xx.
            "django.request": {"level": "ERROR"},
            # A failing probe is reported in the /healthz body; a traceback per poll is noise.
            "health_check": {"level": "ERROR"},
        },
    }


def parse_sample_rate(name: str, value: str | None) -> float:
    """A Sentry sample rate: a float between 0 and 1 (empty means 0)."""
    if value is None or not value.strip():
        return 0.0
    problem = f"{name} must be a number between 0 and 1, got {value!r}"
    try:
        rate = float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(problem) from exc
    if not 0.0 <= rate <= 1.0:
        raise ImproperlyConfigured(problem)
    return rate


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Report errors from web and worker processes to Sentry, without personal data."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Readers' emails, IPs and cookies stay out of error reports (GDPR).
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
    )
