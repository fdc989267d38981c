"""Celery tasks of the subscriptions app: ids and plain values in, one service call each."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model

logger = logging.getLogger(__name__)


@shared_task
def send_billing_email(*, kind: str, user_id: int, key: str, context: dict[str, Any]) -> bool:
    """Send one billing email; safe to run twice (the key is recorded with the sending).

    Owed through core.outbox, which tries it again with a growing delay if the mail server fails.
    """
    from subscriptions import emails

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return False
    return emails.send(kind=kind, user=user, key=key, context=context)


@shared_task
def stripe_reconcile() -> list[str]:
    """Daily: correct local subscriptions that drifted from Stripe (a lost webhook)."""
    from subscriptions.sync import reconcile

    changes = [str(drift) for drift in reconcile()]
    for change in changes:
        logger.warning("Stripe reconciliation fixed %s", change)
    return changes
