"""The one bounded least-recently-used map, for what a process remembers between requests.

Used wherever a process keeps a copy of something costly to make (resolved addresses, rendered
fragments, cached pages, sanitised HTML, prepared newsletters): a dict bounded in size, whose
least recently used entry goes first, safe to share between a process's threads. Reads take
no lock (a dict lookup is atomic under the GIL); only writes and the recency bump do.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, overload

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")


class BoundedLRU(Generic[K, V]):
    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a bounded LRU holds at least one entry")
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    @overload
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: D) -> V | D: ...
    def get(self, key: K, default: object = None) -> object:
        found = self._entries.get(key, _MISSING)
        if found is _MISSING:
            return default
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)  # least recently used goes first
        return found

    def set(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get_or_set(self, key: K, make: Callable[[], V]) -> V:
        """The entry for ``key``, made (outside the lock) and kept when missing."""
        found = self._entries.get(key, _MISSING)
        if found is not _MISSING:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
            return found  # type: ignore[return-value]
        value = make()
        self.set(key, value)
        return value

    def pop(self, key: K) -> V | None:
        with self._lock:
            return self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries


_MISSING = object()
