"""Loaded with ``-p`` before Django starts: the environment the test settings are built from."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kiosque")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("FAST_PASSWORD_HASHER", "true")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="kiosque-test-media-"))
os.environ.setdefault("SERVE_MEDIA", "true")
# Personas act as staff without an authenticator; tests/security/ turn the requirement on.
os.environ.setdefault("KIOSQUE_STAFF_MFA_REQUIRED", "false")
os.environ.pop("REDIS_URL", None)  # unit tests: in-memory cache, tasks in-process
os.environ.pop("DEBUG", None)

# CI must exercise PostgreSQL (locking, full-text search): refuse to run there on anything else
# rather than let PostgreSQL-only tests skip. The one exception is make test's second pass, on
# SQLite (the embedded mode's database) with the tests marked sqlite_compatible, which says so.
if (
    os.environ.get("CI") == "true"
    and not os.environ["DATABASE_URL"].startswith("postgres")
    and os.environ.get("KIOSQUE_TEST_SQLITE") != "true"
):
    raise SystemExit("CI=true needs DATABASE_URL to point at PostgreSQL (make test does this)")

# The suite turns the Stripe simulator on and off per test (tests/subscriptions/stripe_fixtures.py),
# so it needs the development app, its pages and templates, although STRIPE_SIMULATOR is off here
# (the settings refuse it with DEBUG off). Django then loads these very settings, app included;
# processes the tests start read config.settings afresh, without it.
import config.settings

if "stripe_simulator" not in config.settings.INSTALLED_APPS:
    config.settings.INSTALLED_APPS.append("stripe_simulator")
