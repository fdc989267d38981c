"""Celery tasks of the outbox (core.outbox): run one owed task, sweep the owed ones."""

from __future__ import annotations

from celery import shared_task

from core import outbox


@shared_task
def outbox_run(entry_id: int) -> bool:
    """Run one owed task; a no-op when another worker has it, or it is done."""
    return outbox.run(entry_id)


@shared_task
def outbox_sweep() -> int:
    """Beat: publish the owed tasks never published, left by a dead worker, or due again."""
    return outbox.sweep()
