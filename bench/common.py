"""Shared plumbing for the benchmarks: environment, database, gunicorn and wrk on loopback."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kiosque_bench"
)
BENCH_REDIS_URL = os.environ.get("KIOSQUE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def bench_env() -> dict[str, str]:
    """The production-like environment every benchmarked process runs with."""
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-not-used-in-production-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": BENCH_DATABASE_URL,
            "REDIS_URL": BENCH_REDIS_URL.rsplit("/", 1)[0] + "/3",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
            "FAST_PASSWORD_HASHER": "true",
            "SITE_URL": "http://127.0.0.1",
            "ROOT_URLCONF": "bench.urls",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": str(ROOT / "var" / "bench-media"),
        }
    )
    return env


def setup_django() -> None:
    """Configure this process like the benchmarked server, create the database and migrate."""
    os.environ.update(bench_env())
    sys.path.insert(0, str(ROOT))
    _create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)


def _create_database() -> None:
    create_database(BENCH_DATABASE_URL)


def create_database(url: str) -> None:
    """Create the PostgreSQL database named by ``url`` unless it exists."""
    base, name = url.rsplit("/", 1)
    check = subprocess.run(
        ["psql", f"{base}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],  # noqa: S608 - our own setting
        capture_output=True,
        text=True,
        check=True,
    )
    if "1" not in check.stdout:
        subprocess.run(["psql", f"{base}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(
    workers: int = 2,
    threads: int = 1,
    *,
    app: str = "config.wsgi",
    extra_args: list[str] | None = None,
    extra_env: dict[str, str] | None = None,
    start_seconds: float = 30,
) -> Iterator[str]:
    """Serve ``app`` with gunicorn on a free loopback port; yield its base URL."""
    port = free_port()
    env = {**bench_env(), **(extra_env or {})}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads),
            *(extra_args or []), "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                urllib.request.urlopen(f"{base}/robots.txt", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@dataclass(frozen=True)
class LoadResult:
    requests_per_s: float
    errors: int
    p50_ms: float
    p99_ms: float
    requests: int = 0


def _to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(
    url: str,
    *,
    seconds: int = 8,
    connections: int = 8,
    cookie: str = "",
    script: Path | None = None,
    script_args: Sequence[str] = (),
) -> LoadResult:
    """Drive ``url`` with wrk on loopback (bounded in time) and parse its report.

    ``script`` is a wrk Lua script (it may pick each request's path and headers); ``script_args``
    reach its ``init(args)``.
    """
    if not shutil.which("wrk"):
        subprocess.run([str(ROOT / "scripts" / "apt_install.sh"), "wrk"], check=True)
    # --timeout: a request that hangs counts as an error instead of holding a connection; the
    # process timeout bounds the whole run even if wrk itself never returns.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script is not None:
        command += ["--script", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    requests = re.search(r"(\d+) requests in ", output)
    p50 = re.search(r"50%\s+([\d.]+\w+)", output)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output)
    return LoadResult(
        requests_per_s=rps,
        errors=errors,
        p50_ms=_to_ms(p50.group(1)) if p50 else 0.0,
        p99_ms=_to_ms(p99.group(1)) if p99 else 0.0,
        requests=int(requests.group(1)) if requests else 0,
    )


def report(name: str, value: float | int | str) -> None:
    """Print one figure on its own line as ``name: value``."""
    if isinstance(value, float):
        value = f"{value:.2f}"
    print(f"{name}: {value}", flush=True)
