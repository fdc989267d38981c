"""/healthz: the database, Redis and the Celery workers' heartbeat, answered 200 or 503 in JSON.

Probes use django-health-check's Database and Redis checks plus our own CeleryHeartbeat: each
worker writes a timestamp to Redis every HEALTH_CHECK["CELERY_HEARTBEAT_INTERVAL"] seconds (the
bootstep in config/celery.py), and the check fails when the newest one is older than
HEALTH_CHECK["CELERY_HEARTBEAT_MAX_AGE"]. Reading one Redis hash is far cheaper than a broadcast
ping that waits for every worker to answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import inspect
import logging
import time
from functools import cache
from typing import Any

import redis
from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.redis import Redis
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from redis.asyncio import Redis as AsyncRedis

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "kiosque:celery:heartbeats"
# Probes must answer well within a load balancer's own timeout (typically 5 s).
REDIS_TIMEOUT_S = 2.0


def heartbeat_redis_url() -> str:
    """The Redis holding worker heartbeats: REDIS_URL, else a Redis broker, else none."""
    if settings.REDIS_URL:
        return settings.REDIS_URL
    broker = settings.CELERY_BROKER_URL or ""
    return broker if broker.startswith(("redis://", "rediss://", "unix://")) else ""


@cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
    )


def heartbeat_record(*, worker: str, at: float | None = None) -> None:
    """Record that `worker` is alive now (called by each worker on a timer)."""
    url = heartbeat_redis_url()
    if not url:
        return
    client = _redis_client(url)
    client.hset(HEARTBEAT_KEY, worker, at if at is not None else time.time())
    # Workers that vanished leave a field behind; a day after the last beat the whole key goes.
    client.expire(HEARTBEAT_KEY, 24 * 60 * 60)


def heartbeat_newest() -> tuple[str, float] | None:
    """The worker that beat last and when (epoch seconds), or None if none ever did."""
    beats = _redis_client(heartbeat_redis_url()).hgetall(HEARTBEAT_KEY)
    if not beats:
        return None
    worker, at = max(beats.items(), key=lambda item: float(item[1]))
    return (worker.decode() if isinstance(worker, bytes) else worker), float(at)


@dataclasses.dataclass
class CeleryHeartbeat(HealthCheck):
    """Fails when no Celery worker has written a heartbeat for `max_age` seconds."""

    max_age: float = 60.0

    def run(self) -> None:
        try:
            newest = heartbeat_newest()
        except redis.RedisError as exc:
            raise ServiceUnavailable("cannot read worker heartbeats from Redis") from exc
        if newest is None:
            raise ServiceUnavailable("no Celery worker has ever reported")
        worker, at = newest
        age = time.time() - at
        if age > self.max_age:
            raise ServiceUnavailable(
                f"newest worker heartbeat ({worker}) is {age:.0f} s old "
                f"(more than {self.max_age:g} s)"
            )


def _checks() -> dict[str, HealthCheck | None]:
    """The components /healthz reports; None marks one this deployment does not use."""
    redis_url = settings.REDIS_URL
    workers_expected = not settings.CELERY_TASK_ALWAYS_EAGER
    return {
        "database": Database(),
        "redis": (
            Redis(
                client_factory=lambda: AsyncRedis.from_url(
                    redis_url,
                    socket_connect_timeout=REDIS_TIMEOUT_S,
                    socket_timeout=REDIS_TIMEOUT_S,
                )
            )
            if redis_url
            else None
        ),
        # Embedded mode runs tasks in-process: there are no workers to be late.
        "celery": (
            CeleryHeartbeat(max_age=settings.HEALTH_CHECK["CELERY_HEARTBEAT_MAX_AGE"])
            if workers_expected
            else None
        ),
    }


def _run(check: HealthCheck) -> HealthCheckException | None:
    # Sync checks run in the request thread: the database check then reuses this process's
    # persistent connection instead of opening one per probe in an executor thread.
    try:
        if inspect.iscoroutinefunction(check.run):
            asyncio.run(asyncio.wait_for(check.run(), check.timeout.total_seconds()))
        else:
            if isinstance(check, Database):
                _keep_connection(check.alias)
            check.run()
    except HealthCheckException as exc:
        return exc
    except TimeoutError:
        return ServiceUnavailable(f"timed out after {check.timeout.total_seconds():g} s")
    except Exception:
        logger.exception("Unexpected error in health check %s", type(check).__name__)
        return HealthCheckException("unexpected error (see the logs)")
    return None


def _keep_connection(alias: str) -> None:
    # Database.run closes a connection it had to open; opening it first keeps it persistent
    # (CONN_MAX_AGE). A failure is left for the check itself to report.
    with contextlib.suppress(DatabaseError):
        connections[alias].ensure_connection()


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every component answers, else 503 naming the ones that failed."""
    components: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    for name, check in _checks().items():
        if check is None:
            components[name] = {"status": "not configured"}
            continue
        started = time.perf_counter()
        error = _run(check)
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        if error is None:
            components[name] = {"status": "ok", "duration_ms": took_ms}
        else:
            failed.append(name)
            components[name] = {"status": "error", "error": str(error), "duration_ms": took_ms}
    response = JsonResponse(
        {
            "status": "error" if failed else "ok",
            "failed": failed,
            "components": components,
            "time": datetime.datetime.now(tz=datetime.UTC).isoformat(),
        },
        status=503 if failed else 200,
    )
    add_never_cache_headers(response)
    return response
