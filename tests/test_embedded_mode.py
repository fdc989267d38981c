"""Tests marked ``embedded`` pass on SQLite too, the database of ``make run``.

The suite runs on PostgreSQL (as CI does); this test runs the ``embedded`` ones again in a pytest
of their own on a SQLite database, where SQL written for PostgreSQL alone once broke sending a
newsletter. (The browser journeys carry the marker as well; they drive ``make run`` itself and
are left out here.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="this run is on SQLite already")
def test_embedded_tests_pass_on_sqlite(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        # tests/environment.py refuses SQLite under CI=true, so that PostgreSQL-only tests never
        # skip there; this subset is meant for SQLite.
        "CI": "",
    }
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-m", "embedded and not browser", "-q",
            "-p", "no:cacheprovider", "--ignore=tests/journeys", "tests",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary, summary
