"""The outbox of owed Celery tasks: a lost message or a dead worker never loses the work.

- ``enqueue`` writes an OutboxTask row in the current transaction, the one making the change
  that calls for the task, and publishes it once that transaction commits. A broker that is
  down at that moment costs a log line, never the request: the row stays for the sweeper.
- ``run`` (the ``outbox_run`` task) claims the row with a lease, runs the task in-process and
  deletes the row. A worker killed mid-task leaves the row claimed; once the lease is over the
  sweeper publishes it again. An owed task therefore runs at least once and must be safe to
  run twice (the email tasks check their row before sending and mark it only once sent).
- A task that raises is tried again after a doubling delay, MAX_ATTEMPTS times in all, then
  given up: ``due_at`` null, an error logged, the row kept with its last error.
- ``sweep`` (beat, every OUTBOX_SWEEP_INTERVAL_S) publishes the rows that are due: never
  published after one sweep interval, lease expired, or retry delay over.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import OutboxTask

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BACKOFF = timedelta(minutes=1)  # doubles with each failed attempt
SWEEP_BATCH = 500


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def grace() -> timedelta:
    """How long a new row waits for its own message before the sweeper publishes it."""
    return timedelta(seconds=settings.OUTBOX_SWEEP_INTERVAL_S)


def enqueue(task: Any, /, *, publish: bool = True, **kwargs: Any) -> int:
    """Owe ``task(**kwargs)``: recorded in the current transaction, published once it commits.

    With ``publish=False`` the caller publishes it later (``publish_on_commit``), or else the
    sweeper does after the grace period.
    """
    return enqueue_many(task, [kwargs], publish=publish)[0]


def enqueue_many(
    task: Any, kwargs_list: Sequence[dict[str, Any]], *, publish: bool = True
) -> list[int]:
    """Owe ``task`` once per set of keyword arguments (one INSERT); the ids of the rows."""
    now = timezone.now()
    rows = OutboxTask.objects.bulk_create(
        OutboxTask(task=task.name, kwargs=kwargs, created_at=now, due_at=now + grace())
        for kwargs in kwargs_list
    )
    ids = [row.pk for row in rows]
    if publish:
        publish_on_commit(ids)
    return ids


def publish_on_commit(ids: Sequence[int]) -> None:
    if ids:
        transaction.on_commit(lambda: publish(ids))


def publish(ids: Sequence[int]) -> int:
    """One ``outbox_run`` message per row, stopping at the first broker error; how many went."""
    from core.tasks import outbox_run

    for count, entry_id in enumerate(ids):
        try:
            outbox_run.delay(entry_id)
        except Exception as exc:  # whatever the broker client raises: the rows are safe
            logger.warning(
                "Could not publish to the broker (%s): %d owed task(s) left to the sweeper",
                exc,
                len(ids) - count,
            )
            return count
    return len(ids)


def _task(name: str) -> Any:
    if name not in current_app.tasks:
        # Outside a worker the tasks modules are imported lazily.
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def run(entry_id: int) -> bool:
    """Run one owed task under a lease, then delete it; False when it is not ours to run."""
    until = timezone.now() + lease()
    claimed = OutboxTask.objects.filter(
        pk=entry_id, claimed_until__isnull=True, due_at__isnull=False
    ).update(claimed_until=until, due_at=until, attempts=F("attempts") + 1)
    if not claimed:
        return False  # running elsewhere, done, or given up
    entry = OutboxTask.objects.get(pk=entry_id)
    try:
        _task(entry.task)(**entry.kwargs)
    except Exception as exc:
        _failed(entry, exc)
        return False
    OutboxTask.objects.filter(pk=entry_id).delete()
    return True


def _failed(entry: OutboxTask, exc: Exception) -> None:
    if entry.attempts >= MAX_ATTEMPTS:
        due_at = None
        logger.error(
            "Owed task %s (outbox %s) failed %d times: given up",
            entry.task,
            entry.pk,
            entry.attempts,
            exc_info=exc,
        )
    else:
        due_at = timezone.now() + RETRY_BACKOFF * 2 ** (entry.attempts - 1)
        logger.warning(
            "Owed task %s (outbox %s) failed, attempt %d; tried again from %s",
            entry.task,
            entry.pk,
            entry.attempts,
            due_at.isoformat(),
            exc_info=exc,
        )
    OutboxTask.objects.filter(pk=entry.pk).update(
        claimed_until=None, due_at=due_at, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def sweep(*, now: datetime | None = None) -> int:
    """Publish the owed tasks that are due; give up those out of attempts. How many went."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("due_at")
            .values_list("pk", "attempts", "task")[:SWEEP_BATCH]
        )
        spent = [(pk, task) for pk, attempts, task in due if attempts >= MAX_ATTEMPTS]
        ids = [pk for pk, attempts, _task_name in due if attempts < MAX_ATTEMPTS]
        if spent:
            OutboxTask.objects.filter(pk__in=[pk for pk, _ in spent]).update(
                due_at=None, claimed_until=None, last_error="worker lost on the last attempt"
            )
            for pk, task in spent:
                logger.error(
                    "Owed task %s (outbox %s) lost its worker too often: given up", task, pk
                )
        # Whoever held an expired lease is presumed dead. The next look is a lease away, so a
        # message stuck behind a long queue is not published again at every sweep.
        OutboxTask.objects.filter(pk__in=ids).update(claimed_until=None, due_at=now + lease())
    published = publish(ids)
    if published < len(ids):  # the broker is away: try again at the next sweep
        OutboxTask.objects.filter(pk__in=ids[published:], claimed_until__isnull=True).update(
            due_at=now
        )
    return published
