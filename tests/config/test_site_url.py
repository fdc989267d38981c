"""Absolute links follow the port `make run` serves (`PORT=8123 make run`), not a fixed :8000."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.config.test_settings import ROOT, run_manage
from tests.factories import ArticleFactory
from tests.subscriptions.stripe_fixtures import stripe_sim  # noqa: F401


def _settings(env: dict[str, str]) -> tuple[str, str]:
    code = "from django.conf import settings as s; print(s.SITE_URL, s.SITE_URL_FROM_REQUEST)"
    result = run_manage("shell", "-c", code, env={"SITE_URL": "", **env})
    assert result.returncode == 0, result.stderr
    url, from_request = result.stdout.splitlines()[-1].split()
    return url, from_request


def test_make_run_gives_every_step_the_site_url_of_its_port() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "HOST"}}
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    steps = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert [s.split(" manage.py ")[1].split()[0] for s in steps][-3:] == [
        "migrate",
        "load_demo",
        "runserver",
    ]
    assert all("SITE_URL=http://127.0.0.1:8123 " in step for step in steps)
    assert steps[-1].endswith("runserver 127.0.0.1:8123")


def test_debug_without_site_url_takes_it_from_each_request() -> None:
    assert _settings({"DEBUG": "true"})[1] == "True"
    assert _settings({"DEBUG": "true", "SITE_URL": "http://127.0.0.1:8123/"}) == (
        "http://127.0.0.1:8123",
        "False",
    )


@pytest.fixture
def served_on_8123(settings: Any) -> Client:
    """DEBUG's development server on port 8123 without SITE_URL: only the request knows the port."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.SITE_URL_FROM_REQUEST = True
    # A new client builds its middleware with these settings.
    return Client(HTTP_HOST="127.0.0.1:8123")


@pytest.mark.usefixtures("stripe_sim")
def test_checkout_goes_to_the_simulator_on_the_configured_site_url(
    reader_client: Client, weekly_plan: Any, settings: Any
) -> None:
    settings.SITE_URL = "http://127.0.0.1:8123"
    response = reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:8123/abonnement/simulateur/cs_test_")


@pytest.mark.usefixtures("stripe_sim")
def test_checkout_goes_to_the_simulator_on_the_served_port(
    served_on_8123: Client, reader: Any, weekly_plan: Any
) -> None:
    served_on_8123.force_login(reader)
    response = served_on_8123.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:8123/abonnement/simulateur/cs_test_")
    # Same origin as the page that posted: the Content-Security-Policy's form-action allows it.
    page = served_on_8123.get(response["Location"])
    assert page.status_code == 200


def test_canonical_links_and_feeds_follow_the_served_port(served_on_8123, db) -> None:  # type: ignore[no-untyped-def]
    article = ArticleFactory(title="Volubile.ai triple son revenu récurrent")

    page = served_on_8123.get(article.get_absolute_url()).content.decode()
    feed = served_on_8123.get(reverse("magazine:feed_rss")).content.decode()

    assert f'href="http://127.0.0.1:8123{article.get_absolute_url()}"' in page
    assert f"http://127.0.0.1:8123{article.get_absolute_url()}" in feed
    assert "127.0.0.1:8000" not in page + feed


def test_a_host_outside_allowed_hosts_is_refused_not_echoed(served_on_8123, db) -> None:  # type: ignore[no-untyped-def]
    response = Client(HTTP_HOST="evil.example:8123").get(reverse("magazine:home"))
    assert response.status_code == 400
