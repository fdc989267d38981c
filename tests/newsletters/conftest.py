"""Newsletter fixtures: lists, a premium article, and (for the integration tests) a real SMTP
server, Redis and Celery worker processes (tests/real_services.py)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller

from magazine.models import Article
from newsletters.models import Newsletter
from tests.factories import ArticleFactory, NewsletterFactory
from tests.newsletters.helpers import PREMIUM_MARKER
from tests.real_services import ROOT, RecordingHandler, Workers, reset_producers, worker_env

REDIS_URL = os.environ.get("KIOSQUE_NEWSLETTER_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture
def digest(db: Any) -> Newsletter:
    return NewsletterFactory(name="La lettre hebdo", slug="hebdo")


@pytest.fixture
def events_letter(db: Any) -> Newsletter:
    return NewsletterFactory(name="Événements", slug="evenements")


@pytest.fixture
def premium_article(db: Any) -> Article:
    return ArticleFactory(
        title="Ce que Dreamforce 2025 dit des agents IA",
        access=Article.Access.SUBSCRIBERS,
        lead="Salesforce a vendu des agents IA et annoncé 4 000 suppressions de postes.",
        body=(
            "<p>Le teaser ouvre l'analyse.</p><p>Deuxième paragraphe du teaser.</p>"
            f"<hr><p>Réservé aux abonnés : {PREMIUM_MARKER}.</p>"
        ),
    )


# --- real services ------------------------------------------------------------------------------


@pytest.fixture
def smtp_server() -> Iterator[tuple[RecordingHandler, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def redis_db() -> Iterator[Any]:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def celery_on_redis(redis_db, smtp_server, settings) -> Iterator[tuple[Workers, Any]]:  # type: ignore[no-untyped-def]
    """Tasks go through Redis to real worker processes that share the test database."""
    from config.celery import app

    handler, port = smtp_server
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    env = worker_env(
        redis_url=REDIS_URL,
        smtp_port=port,
        NEWSLETTER_CHUNK_SIZE="50",
        NEWSLETTER_RETRY_BACKOFF_S="1",
    )
    settings.SITE_URL = "https://testserver"
    settings.NEWSLETTER_CHUNK_SIZE = 50
    previous = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_url": app.conf.broker_url,
    }
    app.conf.task_always_eager = False
    app.conf.broker_url = REDIS_URL
    reset_producers(app)
    workers = Workers(env)
    try:
        yield workers, handler
    finally:
        workers.stop_all()
        app.conf.update(previous)
        reset_producers(app)
