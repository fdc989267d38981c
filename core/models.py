"""Rows that more than one app writes: the outbox of owed Celery tasks."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxTask(models.Model):
    """A Celery task owed, written in the transaction of the change that calls for it.

    The row is deleted once the task has run. ``claimed_until`` is the lease of the worker
    running it; ``due_at`` is when the sweeper publishes it (again) if nobody has run it by
    then, and null once it was given up.
    """

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, db_index=True)
    claimed_until = models.DateTimeField(null=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.task} {self.kwargs}"
