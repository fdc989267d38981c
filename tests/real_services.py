"""Real services for the integration tests: an SMTP server's handler, Celery worker processes.

Used by tests/newsletters/ (delivery through Redis and workers) and tests/faults/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class RecordingHandler:
    """Keeps every message the SMTP server accepted, parsed, with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.refuse: dict[str, str] = {}  # address -> SMTP reply for RCPT TO
        # As every MTA does; the delivery engine then sends MAIL, RCPT and DATA in one write.
        self.pipelining = True

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


def worker_env(*, redis_url: str, smtp_port: int, **extra: str) -> dict[str, str]:
    """The environment of real worker (and beat) processes sharing this test's database."""
    from django.db import connection

    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "SITE_URL": "https://testserver",
            **extra,
        }
    )
    return env


class Workers:
    """Celery worker processes (each in its own process group, so a kill takes the pool too)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Any] = []

    def start(self, concurrency: int = 2) -> subprocess.Popen[bytes]:
        log = open(ROOT / "test-artifacts" / f"newsletter-worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        self.logs.append(log)
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
                f"-c{concurrency}", "-l", "warning", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "-n", f"nl{len(self.processes)}-{os.getpid()}@%h",
            ],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def start_beat(self, schedule: Path) -> subprocess.Popen[bytes]:
        """Celery beat on the same settings, keeping its schedule state in ``schedule``."""
        log = open(ROOT / "test-artifacts" / f"newsletter-beat-{len(self.processes)}.log", "wb")  # noqa: SIM115
        self.logs.append(log)
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info",
                "--schedule", str(schedule),
            ],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def terminate(self, process: subprocess.Popen[bytes]) -> None:
        """Warm shutdown: the running tasks finish, then the worker exits."""
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=30)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)
        for log in self.logs:
            log.close()


def reset_producers(app: Any) -> None:
    """Drop cached broker connections so the next publish uses the current broker_url."""
    # Not closed: kombu keeps producer pools in a global registry keyed by the connection, and a
    # closed pool would be handed out again for the same broker URL.
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(condition: Any, timeout: float = 120.0, interval: float = 0.2) -> Any:
    """Poll ``condition`` until it returns a truthy value (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
