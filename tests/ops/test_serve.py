"""`scripts/serve.sh` runs the production stack from one command, and stops it cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
SERVE_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kiosque_ops_serve"
SERVE_REDIS_URL = "redis://127.0.0.1:6379/8"
# Bounded: migrating a fresh database, compressing static files and booting Celery on a busy
# machine take a while, but a stack that is not up by then is broken.
STARTUP_LIMIT_S = 180
# Variables the test run sets for itself, which the script must choose on its own.
NOT_INHERITED = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "STATIC_MANIFEST",
    "SERVE_MEDIA",
    "SITE_URL",
    "FAST_PASSWORD_HASHER",
    "LOG_FORMAT",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - local http only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_serve_runs_web_worker_and_beat_and_stops_them_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    var_dir = tmp_path / "var"
    # A heartbeat left by an earlier run must not pass for this run's worker.
    redis.Redis.from_url(SERVE_REDIS_URL).flushdb()
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(
        PORT=str(port),
        VAR_DIR=str(var_dir),
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=SERVE_DATABASE_URL,
        REDIS_URL=SERVE_REDIS_URL,
        WEB_CONCURRENCY="1",
        CELERY_CONCURRENCY="1",
    )
    output = tmp_path / "serve.log"
    with output.open("w") as out:
        process = subprocess.Popen(
            ["scripts/serve.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_S
        status, health = 0, b""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, _, health = fetch(f"{base}/healthz")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(1)
        log = output.read_text()
        assert status == 200, f"/healthz never answered 200: {status} {health!r}\n{log[-3000:]}"
        assert json.loads(health)["components"]["celery"]["status"] == "ok"

        # DEBUG is off and the generated secret key is kept private for the next start.
        secret = var_dir / "secret_key"
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert len(secret.read_text().strip()) >= 50

        status, _, page = fetch(f"{base}/")
        assert status == 200
        stylesheet = re.search(r"/static/css/site\.[0-9a-f]{12}\.css", page.decode())
        assert stylesheet, "the home page links no hashed stylesheet"
        status, headers, body = fetch(f"{base}{stylesheet.group()}", **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
        assert "max-age=315360000" in headers["Cache-Control"]
        assert headers["Content-Encoding"] == "gzip"
        assert body[:2] == b"\x1f\x8b"

        started = dict(re.findall(r"serve: started (\w+) \(pid (\d+)\)", log))
        assert set(started) == {"web", "worker", "beat"}
        pids = {name: int(pid) for name, pid in started.items()}
        assert all(alive(pid) for pid in pids.values())

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=90) == 0
        assert {name: alive(pid) for name, pid in pids.items()} == {
            "web": False,
            "worker": False,
            "beat": False,
        }

        # One JSON line per request, with its id, from gunicorn's workers.
        lines = [json.loads(line) for line in output.read_text().splitlines() if line[:1] == "{"]
        home = [line for line in lines if line.get("path") == "/" and "status" in line]
        assert home and home[0]["status"] == 200 and home[0]["request_id"]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
