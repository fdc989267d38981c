"""core.outbox on its own: owed tasks recorded with the change, run once, retried, given up.

Tasks run eagerly here (no broker in unit tests): publishing an owed task runs it at once, as a
worker would, through ``core.tasks.outbox_run``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from celery import shared_task
from django.db import transaction

from core import outbox, tasks
from core.models import OutboxTask

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2026-03-02T09:00:00+01:00")
CALLS: list[dict[str, Any]] = []
FAILURES_LEFT: dict[str, int] = {}


@shared_task(name="tests.core.record")
def record(**kwargs: Any) -> None:
    CALLS.append(kwargs)


@shared_task(name="tests.core.flaky")
def flaky(*, key: str) -> None:
    """Fails as long as FAILURES_LEFT[key] says so, then records its call."""
    if FAILURES_LEFT.get(key, 0) > 0:
        FAILURES_LEFT[key] -= 1
        raise ConnectionError(f"SMTP server away ({key})")
    CALLS.append({"key": key})


@pytest.fixture(autouse=True)
def _fresh_calls() -> Iterator[None]:
    CALLS.clear()
    FAILURES_LEFT.clear()
    yield
    CALLS.clear()
    FAILURES_LEFT.clear()


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _row(entry_id: int) -> OutboxTask:
    return OutboxTask.objects.get(pk=entry_id)


# --- enqueue and publish on commit ---------------------------------------------------------------


def test_enqueue_records_the_task_and_runs_it_once_the_transaction_commits(
    django_capture_on_commit_callbacks: Any, frozen: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        entry_id = outbox.enqueue(record, registration=7, kind="confirmation")
        row = _row(entry_id)
        assert (row.task, row.kwargs) == (
            "tests.core.record",
            {"registration": 7, "kind": "confirmation"},
        )
        assert row.due_at == NOW + outbox.grace() and row.attempts == 0
        assert CALLS == []  # not before the commit

    assert len(callbacks) == 1
    callbacks[0]()
    assert CALLS == [{"registration": 7, "kind": "confirmation"}]
    assert not OutboxTask.objects.filter(pk=entry_id).exists()


def test_a_rolled_back_change_owes_nothing(django_capture_on_commit_callbacks: Any) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue(record, registration=7)
        raise RuntimeError("the registration failed")

    assert callbacks == []
    assert not OutboxTask.objects.exists()
    assert CALLS == []


def test_enqueue_many_owes_one_row_per_set_of_arguments(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ids = outbox.enqueue_many(record, [{"n": 1}, {"n": 2}, {"n": 3}])

    assert len(set(ids)) == 3
    assert CALLS == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert not OutboxTask.objects.exists()


def test_unpublished_rows_wait_for_the_sweeper_after_the_grace_period(
    django_capture_on_commit_callbacks: Any, frozen: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entry_id = outbox.enqueue(record, publish=False, n=1)
    assert callbacks == [] and CALLS == []

    assert outbox.sweep(now=NOW + outbox.grace() - timedelta(seconds=1)) == 0
    assert CALLS == [] and _row(entry_id).attempts == 0

    assert outbox.sweep(now=NOW + outbox.grace()) == 1
    assert CALLS == [{"n": 1}]
    assert not OutboxTask.objects.filter(pk=entry_id).exists()


def test_a_broker_that_is_down_costs_a_log_line_and_leaves_the_rows_to_the_sweeper(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ids = outbox.enqueue_many(record, [{"n": 1}, {"n": 2}], publish=False)

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("redis://127.0.0.1:6379 refused")

    monkeypatch.setattr(tasks.outbox_run, "delay", broker_down)
    with caplog.at_level(logging.WARNING, logger="core.outbox"):
        assert outbox.publish(ids) == 0

    assert "2 owed task(s) left to the sweeper" in caplog.text
    assert OutboxTask.objects.filter(pk__in=ids, attempts=0).count() == 2


def test_the_sweeper_tries_again_at_its_next_run_while_the_broker_is_down(
    monkeypatch: pytest.MonkeyPatch, frozen: Any
) -> None:
    entry_id = outbox.enqueue(record, publish=False, n=1)
    later = NOW + outbox.grace()
    monkeypatch.setattr(tasks.outbox_run, "delay", _refuse)

    assert outbox.sweep(now=later) == 0
    assert _row(entry_id).due_at == later  # still due: not pushed a lease away

    monkeypatch.undo()
    assert outbox.sweep(now=later + timedelta(seconds=60)) == 1
    assert CALLS == [{"n": 1}]


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise ConnectionRefusedError("broker away")


# --- run: lease, idempotence -------------------------------------------------------------------


def test_run_takes_a_lease_runs_the_task_and_deletes_the_row() -> None:
    entry_id = outbox.enqueue(record, publish=False, n=1)

    assert outbox.run(entry_id) is True

    assert CALLS == [{"n": 1}]
    assert not OutboxTask.objects.filter(pk=entry_id).exists()


def test_a_second_message_for_the_same_row_runs_nothing() -> None:
    entry_id = outbox.enqueue(record, publish=False, n=1)
    assert outbox.run(entry_id) is True

    assert outbox.run(entry_id) is False  # a duplicate message: the row is gone
    assert CALLS == [{"n": 1}]


def test_a_row_leased_to_another_worker_is_left_alone(frozen: Any) -> None:
    entry_id = outbox.enqueue(record, publish=False, n=1)
    OutboxTask.objects.filter(pk=entry_id).update(
        claimed_until=NOW + outbox.lease(), due_at=NOW + outbox.lease(), attempts=1
    )

    assert outbox.run(entry_id) is False

    assert CALLS == []
    assert _row(entry_id).attempts == 1


def test_the_sweeper_hands_an_expired_lease_to_another_worker(frozen: Any) -> None:
    entry_id = outbox.enqueue(record, publish=False, n=1)
    # A worker claimed it, then died: its lease runs until NOW + lease.
    OutboxTask.objects.filter(pk=entry_id).update(
        claimed_until=NOW + outbox.lease(), due_at=NOW + outbox.lease(), attempts=1
    )

    assert outbox.sweep(now=NOW + outbox.lease() - timedelta(seconds=1)) == 0
    assert CALLS == []

    assert outbox.sweep(now=NOW + outbox.lease()) == 1
    assert CALLS == [{"n": 1}]
    assert not OutboxTask.objects.filter(pk=entry_id).exists()


# --- retries and giving up ---------------------------------------------------------------------


def test_a_failing_task_is_tried_again_after_a_doubling_delay(frozen: Any) -> None:
    FAILURES_LEFT["mail"] = 2
    entry_id = outbox.enqueue(flaky, publish=False, key="mail")

    assert outbox.run(entry_id) is False
    row = _row(entry_id)
    assert (row.attempts, row.claimed_until) == (1, None)
    assert row.due_at == NOW + outbox.RETRY_BACKOFF
    assert row.last_error == "ConnectionError: SMTP server away (mail)"

    frozen.move_to(row.due_at)
    assert outbox.sweep() == 1  # runs it: the second attempt fails too
    row = _row(entry_id)
    assert row.attempts == 2
    assert row.due_at == NOW + outbox.RETRY_BACKOFF + 2 * outbox.RETRY_BACKOFF

    frozen.move_to(row.due_at)
    assert outbox.sweep() == 1
    assert CALLS == [{"key": "mail"}]
    assert not OutboxTask.objects.filter(pk=entry_id).exists()


def test_a_task_that_keeps_failing_is_given_up_and_kept_with_its_error(
    frozen: Any, caplog: pytest.LogCaptureFixture
) -> None:
    FAILURES_LEFT["mail"] = 100
    entry_id = outbox.enqueue(flaky, publish=False, key="mail")

    with caplog.at_level(logging.WARNING, logger="core.outbox"):
        for _attempt in range(outbox.MAX_ATTEMPTS):
            assert outbox.run(entry_id) is False
            due_at = _row(entry_id).due_at
            if due_at is not None:
                frozen.move_to(due_at)

    row = _row(entry_id)
    assert (row.attempts, row.due_at, row.claimed_until) == (outbox.MAX_ATTEMPTS, None, None)
    assert row.last_error == "ConnectionError: SMTP server away (mail)"
    assert [r.levelname for r in caplog.records].count("ERROR") == 1
    assert "given up" in caplog.records[-1].getMessage()
    # Given up means given up: neither a late message nor the sweeper runs it again.
    assert outbox.run(entry_id) is False
    frozen.move_to(NOW + timedelta(days=30))
    assert outbox.sweep() == 0
    assert FAILURES_LEFT["mail"] == 100 - outbox.MAX_ATTEMPTS


def test_a_worker_lost_on_the_last_attempt_is_given_up_by_the_sweeper(
    frozen: Any, caplog: pytest.LogCaptureFixture
) -> None:
    entry_id = outbox.enqueue(record, publish=False, n=1)
    OutboxTask.objects.filter(pk=entry_id).update(
        claimed_until=NOW, due_at=NOW, attempts=outbox.MAX_ATTEMPTS
    )

    with caplog.at_level(logging.ERROR, logger="core.outbox"):
        assert outbox.sweep(now=NOW) == 0

    row = _row(entry_id)
    assert (row.due_at, row.claimed_until) == (None, None)
    assert row.last_error == "worker lost on the last attempt"
    assert "lost its worker too often" in caplog.text
    assert CALLS == []
