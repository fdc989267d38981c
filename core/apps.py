from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Code two apps share: the outbox of owed Celery tasks (core.outbox), email validation,
    the 400 page, and the integer ``__in`` lookup that survives forged ids (core.lookups)."""

    name = "core"

    def ready(self) -> None:
        from core import lookups  # noqa: F401 - registers the lookup
