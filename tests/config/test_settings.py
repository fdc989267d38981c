"""The settings module refuses unsafe production configurations and reads the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-that-is-not-used-anywhere-0123456789",
    "ALLOWED_HOSTS": "magazine.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/kiosque",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SERVE_MEDIA",
            "STATIC_MANIFEST",
            # Set by tests/browser/conftest.py for Playwright; production never has it.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "KIOSQUE_STAFF_MFA_REQUIRED",
        }
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ALLOWED_HOSTS"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_refuses_to_start_without_database_url() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


# No secret from the developer's shell may slip into the refusals below.
NO_WEBHOOK_SECRETS = {"ANYMAIL_WEBHOOK_SECRET": "", "ANYMAIL_CONFIG": "{}", "EMAIL_BACKEND": ""}


@pytest.mark.parametrize(
    "provider",
    [{"ANYMAIL_ESP": "postmark"}, {"EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend"}],
    ids=["ANYMAIL_ESP", "EMAIL_BACKEND"],
)
def test_production_refuses_an_email_provider_without_a_webhook_secret(
    provider: dict[str, str],
) -> None:
    env = {**PRODUCTION_ENV, **NO_WEBHOOK_SECRETS, **provider}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET must be set" in result.stderr

    result = run_manage("check", env={**env, "ANYMAIL_WEBHOOK_SECRET": "kiosque:s3cret"})
    assert result.returncode == 0, result.stderr


def test_a_webhook_secret_must_be_user_and_password() -> None:
    env = {**PRODUCTION_ENV, **NO_WEBHOOK_SECRETS, "ANYMAIL_ESP": "postmark"}
    result = run_manage("check", env={**env, "ANYMAIL_WEBHOOK_SECRET": "no-colon"})
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET must look like user:password" in result.stderr


def test_production_refuses_stripe_without_its_webhook_secret() -> None:
    env = {**PRODUCTION_ENV, "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY" in result.stderr


def test_check_deploy_reports_nothing_in_production() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_runs_with_embedded_defaults() -> None:
    result = run_manage("diffsettings", "--all", env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout
    assert "console.EmailBackend" in result.stdout
    assert "CELERY_TASK_ALWAYS_EAGER = True" in result.stdout


def test_env_helpers_parse_and_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KQ_FLAG", "yes")
    monkeypatch.setenv("KQ_NUMBER", "42")
    monkeypatch.setenv("KQ_LIST", "a.example, b.example,")
    assert env_bool("KQ_FLAG") is True
    assert env_int("KQ_NUMBER", 0) == 42
    assert env_list("KQ_LIST") == ["a.example", "b.example"]
    monkeypatch.setenv("KQ_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="KQ_FLAG must be a boolean"):
        env_bool("KQ_FLAG")
    monkeypatch.setenv("KQ_NUMBER", "forty")
    with pytest.raises(ImproperlyConfigured, match="KQ_NUMBER must be an integer"):
        env_int("KQ_NUMBER", 0)
