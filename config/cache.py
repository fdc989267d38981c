"""Django's Redis cache backend, minus a per-call cost that shows on every cached page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache.backends import redis as django_redis


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

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClientCacheClient
