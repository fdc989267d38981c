"""Where the simulator keeps its state: in memory (tests) or in a JSON file (`make run`)."""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

State = dict[str, Any]


class Store(Protocol):
    def transaction(self) -> contextlib.AbstractContextManager[State]: ...

    def reset(self) -> None: ...


class MemoryStore:
    """One process, one dict; the lock lets the webhook view re-enter from another thread."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._state: State = {}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[State]:
        with self._lock:
            working = copy.deepcopy(self._state)
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

    @contextlib.contextmanager
    def transaction(self) -> Iterator[State]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_suffix(self.path.suffix + ".lock")
        with self._lock, open(lock_path, "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                state: State = {}
                if self.path.exists() and self.path.stat().st_size:
                    state = json.loads(self.path.read_text(encoding="utf-8"))
                yield state
                temporary = self.path.with_suffix(".tmp")
                temporary.write_text(json.dumps(state), encoding="utf-8")
                os.replace(temporary, self.path)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def reset(self) -> None:
        with self.transaction() as state:
            state.clear()
