"""Helpers of the fault tests: free ports, and a PostgreSQL cluster of their own."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
# Bounds pg_ctl's own waits (-t): a start after an immediate stop replays the WAL first.
PG_CTL_WAIT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrivatePostgres:
    """A throwaway PostgreSQL cluster of this test run: it may be stopped and restarted at will."""

    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str) -> None:
        """Run pg_ctl on this cluster as its owner, waiting (bounded) for it to finish."""
        options = (
            f"-p {self.port} -k {self.root / 'socket'} -c listen_addresses=127.0.0.1 "
            # Nothing here needs to survive a power cut: spare the shared machine's disk.
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        command = [
            str(POSTGRES_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            str(PG_CTL_WAIT_S),
            "-o",
            options,
            *args,
        ]
        as_postgres(command, timeout=PG_CTL_WAIT_S + 30)

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "stop")

    def restart(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "restart")

    def running(self) -> bool:
        status = _run_as_postgres([str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "status"])
        return status.returncode == 0

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _run_as_postgres(
    command: list[str], *, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    # initdb, pg_ctl and the server refuse to run as root: run them as the postgres account then.
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def as_postgres(command: list[str], *, timeout: float) -> None:
    result = _run_as_postgres(command, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed ({result.returncode}):\n{result.stderr}")


def kill_postmaster(data: Path) -> None:
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
