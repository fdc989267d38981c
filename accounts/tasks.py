"""Housekeeping of accounts, run by Celery beat."""

from __future__ import annotations

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task
def sessions_clear_expired() -> None:
    """Delete expired sessions (Django's ``clearsessions``): the table would only grow."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
