from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from config.health import HEARTBEAT_KEY
from tests.ops.helpers import TEST_REDIS_URL


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: starts real processes (gunicorn, Celery); takes tens of seconds"
    )


@pytest.fixture
def heartbeats() -> Iterator[redis.Redis]:
    """The test Redis, with no worker heartbeat in it before or after the test."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.delete(HEARTBEAT_KEY)
    yield client
    client.delete(HEARTBEAT_KEY)
    client.close()
