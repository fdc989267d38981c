"""/healthz reports the database, Redis and the Celery workers' heartbeat, 200 or 503."""

from __future__ import annotations

import socket
import time

import pytest
import redis
from django.test import Client, override_settings

from config.health import HEARTBEAT_KEY, heartbeat_newest, heartbeat_record
from tests.ops.helpers import TEST_REDIS_URL

pytestmark = pytest.mark.django_db

WITH_WORKERS = {"REDIS_URL": TEST_REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": False}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@override_settings(**WITH_WORKERS)
def test_healthz_is_ok_with_database_redis_and_a_fresh_heartbeat(
    client: Client, heartbeats: redis.Redis
) -> None:
    heartbeat_record(worker="celery@web1")

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert {name: c["status"] for name, c in body["components"].items()} == {
        "database": "ok",
        "redis": "ok",
        "celery": "ok",
    }


@override_settings(**WITH_WORKERS)
def test_healthz_is_never_cached_and_needs_no_login(
    client: Client, heartbeats: redis.Redis
) -> None:
    heartbeat_record(worker="celery@web1")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_plain_http_when_https_is_enforced(heartbeats: redis.Redis) -> None:
    # Load balancers probe the app servers over HTTP, behind the TLS they terminate.
    with override_settings(SECURE_SSL_REDIRECT=True, **WITH_WORKERS):
        heartbeat_record(worker="celery@web1")
        client = Client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 301


def test_healthz_fails_naming_redis_when_redis_is_unreachable(
    client: Client, heartbeats: redis.Redis
) -> None:
    heartbeat_record(worker="celery@web1")
    unreachable = f"redis://127.0.0.1:{closed_port()}/7"

    with override_settings(REDIS_URL=unreachable, CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert "redis" in body["failed"]
    assert body["components"]["redis"]["status"] == "error"
    assert "Unable to connect to Redis" in body["components"]["redis"]["error"]
    assert body["components"]["database"]["status"] == "ok"


@override_settings(**WITH_WORKERS)
def test_healthz_fails_naming_celery_when_the_newest_heartbeat_is_stale(
    client: Client, heartbeats: redis.Redis
) -> None:
    heartbeat_record(worker="celery@gone", at=time.time() - 600)
    heartbeat_record(worker="celery@stuck", at=time.time() - 120)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["celery"]
    assert "celery@stuck" in body["components"]["celery"]["error"]
    assert body["components"]["redis"]["status"] == "ok"


@override_settings(**WITH_WORKERS)
def test_healthz_fails_when_no_worker_ever_reported(
    client: Client, heartbeats: redis.Redis
) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["celery"]


def test_healthz_reports_redis_and_celery_not_configured_in_embedded_mode(
    client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get("/healthz")

    assert response.status_code == 200
    components = response.json()["components"]
    assert components["redis"] == {"status": "not configured"}
    assert components["celery"] == {"status": "not configured"}
    assert components["database"]["status"] == "ok"


@override_settings(**WITH_WORKERS)
def test_newest_heartbeat_is_the_latest_of_all_workers(heartbeats: redis.Redis) -> None:
    heartbeat_record(worker="celery@a", at=1000.0)
    heartbeat_record(worker="celery@b", at=2000.0)
    heartbeat_record(worker="celery@c", at=1500.0)

    assert heartbeat_newest() == ("celery@b", 2000.0)
    assert heartbeats.ttl(HEARTBEAT_KEY) > 0
