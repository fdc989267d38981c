"""The site exactly as a newcomer gets it: ``make run`` on a port of its own.

``make run`` is started as a subprocess, with the environment of a fresh shell (nothing of the
test settings in tests/environment.py): DEBUG on and nothing configured, so SQLite, tasks run
in-process, email printed on the console and the Stripe simulator. Only the data files move to
a temporary directory (the SQLite database, uploaded media, the simulator's state), so a run
neither reads nor touches a developer's own ``db.sqlite3``.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "test-artifacts" / "journeys"
# A fresh terminal's variables; everything else (SECRET_KEY, DATABASE_URL, REDIS_URL, CI,
# MAKEFLAGS…) stays out, as it would be on a newcomer's machine.
SHELL_VARIABLES = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TMPDIR")
DEFAULT_PORT = 8000
# Migrating and drawing the demo's illustrations take a while on a loaded two-core machine.
START_TIMEOUT_S = 900
# The console email backend ends each message with this line.
CONSOLE_SEPARATOR = "\n" + "-" * 79 + "\n"


@dataclass(frozen=True)
class EmbeddedSite:
    url: str
    port: int
    database: Path
    stdout: Path
    stderr: Path

    def emails(self) -> list[EmailMessage]:
        """Every message the console backend has printed so far, oldest first."""
        return console_emails(self.stdout.read_text(encoding="utf-8", errors="replace"))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read the site's SQLite database directly (read-only), as the ground truth."""
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's output, without the requests for static files and media."""
        parts = []
        for path in (self.stdout, self.stderr):
            text = [
                line
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                if " /static/" not in line and " /media/" not in line
            ]
            parts.append(f"--- {path.relative_to(ROOT)} (last {lines} lines but files)")
            parts.extend(text[-lines:])
        return "\n".join(parts)


def console_emails(output: str) -> list[EmailMessage]:
    """Parse the messages Django's console backend wrote among the server's other output."""
    messages = []
    # Each chunk ends with one message; what precedes its headers is other output (the
    # commands `make run` echoes, migrate and load_demo's reports, the server's banner).
    for chunk in output.split(CONSOLE_SEPARATOR)[:-1]:
        start = chunk.find("Content-Type: ")
        while start > 0 and chunk[start - 1] != "\n":
            start = chunk.find("Content-Type: ", start + 1)
        if start < 0:
            raise AssertionError(f"Not an email on the console: {chunk[:500]!r}")
        message = email.message_from_string(chunk[start:], policy=email.policy.default)
        messages.append(message)
    return messages


def recipients(message: EmailMessage) -> list[str]:
    """The addresses a parsed message was sent to, lower-cased, without display names."""
    return [address.lower() for _name, address in getaddresses([str(message["To"] or "")])]


def message_text(message: EmailMessage) -> str:
    """The plain-text part (or the only part) of a parsed message."""
    part = message.get_body(preferencelist=("plain", "html"))
    assert part is not None, f"no body in {message['Subject']!r}"
    return str(part.get_content())  # type: ignore[attr-defined]


def free_port() -> int:
    """A port nothing listens on, never the default one (the bug this suite guards against)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port != DEFAULT_PORT:
            return port


def shell_environment(data: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in SHELL_VARIABLES if name in os.environ}
    env.update(
        DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}",
        MEDIA_ROOT=str(data / "media"),
        STRIPE_SIMULATOR_STATE_FILE=str(data / "stripe_simulator.json"),
        # Log lines reach the captured files as they happen.
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_until_serving(process: subprocess.Popen[bytes], site: EmbeddedSite) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"`make run` stopped (exit {process.returncode}) before serving.\n"
                + site.log_tail()
            )
        try:
            with urllib.request.urlopen(f"{site.url}/", timeout=10) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(
        f"`make run` did not serve {site.url} within {START_TIMEOUT_S} s.\n" + site.log_tail()
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    # make, runserver and its autoreloaded child share the session started for make.
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@contextmanager
def make_run(data: Path) -> Iterator[EmbeddedSite]:
    """Run `PORT=<free port> make run` until the context exits."""
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    site = EmbeddedSite(
        url=f"http://127.0.0.1:{port}",
        port=port,
        database=data / "db.sqlite3",
        stdout=LOGS / "make-run.stdout.log",
        stderr=LOGS / "make-run.stderr.log",
    )
    command = ["make", "--no-print-directory", "run", f"PORT={port}", "HOST=127.0.0.1"]
    if sys.prefix != sys.base_prefix:
        command.append(f"VENV={sys.prefix}")  # the virtualenv this pytest runs in
    with site.stdout.open("wb") as stdout, site.stderr.open("wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=shell_environment(data),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            _wait_until_serving(process, site)
            yield site
        finally:
            _stop(process)
