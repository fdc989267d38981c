"""Django's Redis cache backend, minus a per-call cost, and soft when Redis is down.

A cache is an optimisation: with Redis unreachable the site keeps answering from the database.
Reads become misses and writes are dropped; add() reports success, so the locks and rate-limit
counters built on it let requests through rather than refuse every login and subscription.
Sessions (cached_db) load from the database. After a failure Redis is left alone for a few
seconds, so that requests do not each wait on a dead server, then picked up again by itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends import redis as django_redis
from redis import exceptions as redis_exceptions

logger = logging.getLogger(__name__)

# Redis is "down" for these; any other error is a bug and still raises.
UNAVAILABLE = (redis_exceptions.ConnectionError, redis_exceptions.TimeoutError)
# After a failure, calls skip Redis for this long: a page makes several cache calls, and each
# would otherwise pay redis-py's connection retries (about a third of a second when refused).
RETRY_AFTER_SECONDS = 5.0


class _ReusedClientCacheClient(django_redis.RedisCacheClient):
    # Django builds a new redis.Redis for every call, and redis-py fills a table of ~170 response
    # callbacks each time: a quarter of a millisecond per cache read. The client holds no state
    # of its own (connections come from the pool, which is thread-safe), so one per pool will do.

    # Django's RedisCacheClient defines these privately and django-stubs leaves them out; bare
    # annotations type them for mypy without shadowing the inherited ones at runtime.
    _client: Callable[..., Any]
    _get_connection_pool_index: Callable[[bool], int]
    _get_connection_pool: Callable[[bool], Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._down_until = 0.0

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client

    def _soft(self, fallback: Any, call: Callable[..., Any], *args: Any) -> Any:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return call(*args)
        except UNAVAILABLE as error:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning(
                "Redis cache unavailable (%s failed: %s); serving without it for %s seconds",
                call.__name__,
                error,
                RETRY_AFTER_SECONDS,
            )
            return fallback

    def add(self, key: Any, value: Any, timeout: Any) -> Any:
        # True, as if stored and lost at once: allauth locks its rate-limit counters with add()
        # and would otherwise refuse every login (429) until Redis returns.
        return self._soft(True, super().add, key, value, timeout)

    def get(self, key: Any, default: Any) -> Any:
        return self._soft(default, super().get, key, default)

    def set(self, key: Any, value: Any, timeout: Any) -> Any:
        return self._soft(None, super().set, key, value, timeout)

    def touch(self, key: Any, timeout: Any) -> Any:
        return self._soft(False, super().touch, key, timeout)

    def delete(self, key: Any) -> Any:
        return self._soft(False, super().delete, key)

    def get_many(self, keys: Any) -> Any:
        return self._soft({}, super().get_many, keys)

    def has_key(self, key: Any) -> Any:
        return self._soft(False, super().has_key, key)

    def incr(self, key: Any, delta: int) -> Any:
        missing = object()
        result = self._soft(missing, super().incr, key, delta)
        if result is missing:
            # What Django's cache API raises for a key it does not hold.
            raise ValueError(f"Key '{key}' not found (Redis unavailable).")
        return result

    def set_many(self, data: Any, timeout: Any) -> Any:
        return self._soft(None, super().set_many, data, timeout)

    def delete_many(self, keys: Any) -> Any:
        return self._soft(None, super().delete_many, keys)

    def clear(self) -> Any:
        return self._soft(False, super().clear)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClientCacheClient
