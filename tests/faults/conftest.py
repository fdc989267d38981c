from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.helpers import (
    POSTGRES_BIN,
    PrivatePostgres,
    as_postgres,
    free_port,
    kill_postmaster,
)

# The offline Stripe behind the real gateway (tests/faults/test_stripe_outage.py).
from tests.subscriptions.stripe_fixtures import stripe_sim  # noqa: F401


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: starts real processes (gunicorn, Celery); takes tens of seconds"
    )


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL 15 cluster in a temporary directory, on a free port (never the shared one)."""
    if not (POSTGRES_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 binaries are needed in {POSTGRES_BIN}")
    # Not under pytest's tmp_path: its parents are private to root, the server runs as postgres.
    cluster = PrivatePostgres(root=Path(tempfile.mkdtemp(prefix="kiosque-pg-")), port=free_port())
    (cluster.root / "socket").mkdir()
    if os.geteuid() == 0:
        shutil.chown(cluster.root, "postgres", "postgres")
        shutil.chown(cluster.root / "socket", "postgres", "postgres")
    try:
        as_postgres(
            [
                str(POSTGRES_BIN / "initdb"),
                "-D",
                str(cluster.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
            ],
            timeout=120,
        )
        cluster.start()
        yield cluster
    finally:
        if cluster.data.exists() and cluster.running():
            try:
                cluster.stop("immediate")
            except (RuntimeError, subprocess.TimeoutExpired):
                kill_postmaster(cluster.data)
        shutil.rmtree(cluster.root, ignore_errors=True)
