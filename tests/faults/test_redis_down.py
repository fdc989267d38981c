"""Redis down: reading, logging in and subscribing keep working from the database.

The cache points at a closed port (nothing listens on 127.0.0.1:1), so every Redis call is
refused as it would be with Redis stopped; config.cache turns that into misses.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from config import cache as kiosque_cache
from magazine.models import Article
from newsletters.models import Newsletter, Subscriber
from tests.factories import ArticleFactory
from tests.personas import PASSWORD

CLOSED_PORT = "redis://127.0.0.1:1/0"


def _redis_cache(location: str, prefix: str = "kiosque-faults") -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }


@pytest.fixture
def redis_down(settings: Any) -> None:
    settings.CACHES = _redis_cache(CLOSED_PORT)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_cache_reads_are_misses_and_writes_are_dropped_while_redis_is_down(redis_down):
    cache.set("edition", "octobre")
    cache.add("compteur", 1)

    assert cache.get("edition", "absent") == "absent"
    assert cache.get("compteur") is None
    assert cache.get_many(["edition", "compteur"]) == {}
    with pytest.raises(ValueError):
        cache.incr("compteur")


def test_home_article_and_plans_pages_answer_while_redis_is_down(redis_down, client, weekly_plan):
    article: Article = ArticleFactory(  # type: ignore[assignment]
        access=Article.Access.FREE, title="Le centre de contacts en 2026"
    )

    for url in ("/", article.get_absolute_url(), reverse("billing:plans")):
        response = client.get(url)
        assert response.status_code == 200, url

    assert "Le centre de contacts en 2026" in client.get(article.get_absolute_url()).text


def test_login_and_session_work_while_redis_is_down(redis_down, client, reader):
    response = client.post(reverse("account_login"), {"login": reader.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(reader.pk)
    # The next request loads the session from the database and still knows the reader.
    account = client.get(reverse("billing:account"))
    assert account.status_code == 200
    assert account.wsgi_request.user == reader


def test_newsletter_subscription_works_while_redis_is_down(
    db, redis_down, client, django_capture_on_commit_callbacks
):
    digest = Newsletter.objects.create(name="La lettre hebdo", slug="hebdo")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("newsletters:subscribe"),
            {"email": "nouvelle@example.com", "newsletters": [digest.pk], "consent": "on"},
        )

    assert response.status_code == 200
    assert Subscriber.objects.get(email="nouvelle@example.com").status == "pending"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def redis_port() -> int:
    return _free_port()


@pytest.fixture
def private_redis(redis_port: int) -> Iterator[Any]:
    """Starts a throwaway redis-server on ``redis_port`` when called (never the shared one)."""
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        process = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", redis_port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_cache_picks_redis_up_again_by_itself_when_it_returns(
    db, settings, monkeypatch, redis_port, private_redis
):
    # No pause between retries: the test checks recovery, not the back-off.
    monkeypatch.setattr(kiosque_cache, "RETRY_AFTER_SECONDS", 0)
    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{redis_port}/0")
    cache.set("edition", "octobre")
    assert cache.get("edition") is None

    private_redis()
    cache.set("edition", "novembre")

    assert cache.get("edition") == "novembre"
    assert Client().get("/").status_code == 200


def test_after_a_failure_redis_is_left_alone_for_a_while(
    settings, monkeypatch, redis_port, private_redis
):
    monkeypatch.setattr(kiosque_cache, "RETRY_AFTER_SECONDS", 3600)
    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{redis_port}/0")
    assert cache.get("edition") is None  # refused: the pause starts
    private_redis()

    cache.set("edition", "novembre")

    # Within the pause the running Redis is not asked yet: no request waits on a dead server.
    assert cache.get("edition") is None
