"""The global send rate, shared by every worker on every machine through Redis.

A fixed one-second window per provider: one Lua call adds the tokens a worker asks for and says
how many fit under the limit, atomically, so two workers can never both take the last slots.
Without Redis (tests, development) the limit holds within the process only.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# KEYS[1] = window key; ARGV = wanted, limit, window ms. Returns how many tokens were granted.
_ACQUIRE = """
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
local before = used - tonumber(ARGV[1])
local granted = math.max(0, math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - before))
if granted < tonumber(ARGV[1]) then
  redis.call('DECRBY', KEYS[1], tonumber(ARGV[1]) - granted)
end
return granted
"""


class LimiterUnavailable(Exception):
    """The shared counter cannot be reached: nobody may send until it can."""


_local_lock = threading.Lock()
_local_windows: dict[tuple[str, int], int] = {}
_clients: dict[str, Any] = {}


def _redis() -> Any:
    url = settings.NEWSLETTER_RATE_LIMIT_REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        # Bounded waits: a hung Redis must not hold a chunk's rows past their lease.
        client = _clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=2
        )
    return client


def provider_key() -> str:
    return settings.NEWSLETTER_RATE_LIMIT_KEY or f"{settings.EMAIL_BACKEND}:{settings.EMAIL_HOST}"


def try_acquire(wanted: int, *, limit: int, now: float | None = None) -> int:
    """Take up to ``wanted`` sends from the current second's allowance; return how many."""
    now = time.time() if now is None else now
    window = int(now)
    client = _redis()
    if client is not None:
        key = f"kiosque:newsletters:rate:{provider_key()}:{window}"
        try:
            return int(client.eval(_ACQUIRE, 1, key, wanted, limit, 2000))
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise LimiterUnavailable(str(exc)) from exc
    with _local_lock:
        for stale in [k for k in _local_windows if k[1] < window]:
            del _local_windows[stale]
        used = _local_windows.get((provider_key(), window), 0)
        granted = max(0, min(wanted, limit - used))
        _local_windows[(provider_key(), window)] = used + granted
        return granted


def acquire(wanted: int) -> None:
    """Block until ``wanted`` sends fit under NEWSLETTER_RATE_LIMIT_PER_S (0: no limit)."""
    limit = settings.NEWSLETTER_RATE_LIMIT_PER_S
    if limit <= 0:
        return
    while wanted > 0:
        granted = try_acquire(wanted, limit=limit)
        wanted -= granted
        if wanted:
            time.sleep(max(0.001, 1.0 - (time.time() % 1.0)))
