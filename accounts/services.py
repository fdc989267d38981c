"""Account workflows: deleting an account (the reader's right to erasure)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts import personal_data
from accounts.personal_data import DELETED_LABEL, Erasure, inert_email

if TYPE_CHECKING:
    from accounts.models import User

__all__ = ["DELETED_LABEL", "AccountDeletionFailed", "account_delete"]


class AccountDeletionFailed(Exception):
    """Stripe could not be told to stop billing: nothing was deleted, the reader may retry."""


def account_delete(*, user: User, now: datetime | None = None) -> None:
    """Erase a reader's personal data, keeping anonymised what the accounts must keep.

    Raises AccountDeletionFailed, having changed nothing, when Stripe cannot stop billing.
    """
    entries = personal_data.registered()
    try:
        for entry in entries:
            if entry.before_erasure is not None:
                entry.before_erasure(user)
    except personal_data.ErasureRefused as exc:
        raise AccountDeletionFailed from exc
    erasure = Erasure(
        user=user, emails=personal_data.account_emails(user), now=now or timezone.now()
    )
    with transaction.atomic():
        for entry in entries:
            if entry.eraser is not None:
                entry.eraser(erasure)
        user.email = inert_email(user.pk, "user")
        user.first_name = DELETED_LABEL
        user.last_name = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        # A new password hash also invalidates every session on other devices.
        user.set_unusable_password()
        user.save()
