"""Where the simulator keeps its state: in memory (tests) or in a JSON file (`make run`)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

State = dict[str, Any]


class Store(Protocol):
    def transaction(self, *, rollback: bool = True) -> contextlib.AbstractContextManager[State]:
        """The state, locked; ``rollback=False`` keeps what a failing block changed (reads)."""
        ...

    def reset(self) -> None: ...


class MemoryStore:
    """One process, one dict; the lock lets the webhook view re-enter from another thread."""

    def __init__(self, state: State | None = None) -> None:
        self._lock = threading.RLock()
        self._state: State = state if state is not None else {}

    @contextlib.contextmanager
    def transaction(self, *, rollback: bool = True) -> Iterator[State]:
        with self._lock:
            if not rollback:
                # Reads change nothing but the request log and the clock's due work, both
                # kept whatever happens: copying the whole state for them made every GET
                # cost as much as the state is big.
                yield self._state
                return
            # A pickle round trip is a deep copy (shared objects stay shared) three times
            # faster than copy.deepcopy on this JSON-like state.
            working = pickle.loads(pickle.dumps(self._state, pickle.HIGHEST_PROTOCOL))  # noqa: S301
            yield working
            # Only a block that finished commits: a rejected request leaves no half-made object.
            self._state = working

    def reset(self) -> None:
        with self._lock:
            self._state = {}


class FileStore:
    """A JSON file locked with flock, so the web server, a worker and a shell share one Stripe."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        # The state as this process last read or wrote it, with the file's identity then:
        # while nobody else wrote, the next transaction skips parsing the file again.
        self._cached: tuple[tuple[int, int, int], State] | None = None

    def _identity(self) -> tuple[int, int, int] | None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def _load(self) -> State:
        identity = self._identity()
        if identity is None or identity[2] == 0:
            return {}
        if self._cached is not None and self._cached[0] == identity:
            return self._cached[1]
        state: State = json.loads(self.path.read_text(encoding="utf-8"))
        return state

    def _save(self, state: State) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state), encoding="utf-8")
        os.replace(temporary, self.path)
        identity = self._identity()
        self._cached = (identity, state) if identity is not None else None

    @contextlib.contextmanager
    def transaction(self, *, rollback: bool = True) -> Iterator[State]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_suffix(self.path.suffix + ".lock")
        with self._lock, open(lock_path, "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                state = self._load()
                try:
                    yield state
                except BaseException:
                    if rollback:
                        # The cached dict may hold the block's half-made changes: forget it.
                        self._cached = None
                    else:
                        self._save(state)
                    raise
                self._save(state)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def reset(self) -> None:
        with self.transaction() as state:
            state.clear()
