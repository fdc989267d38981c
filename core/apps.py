from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Code two apps share: the outbox of owed Celery tasks (core.outbox)."""

    name = "core"
