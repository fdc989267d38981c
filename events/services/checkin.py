"""Check-in at the door: one scan or search, once per registration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone

from events.models import (
    Event,
    Registration,
)
from events.services.common import log_change


class CheckIn(StrEnum):
    OK = "ok"
    ALREADY = "already"
    NOT_FOUND = "not_found"
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True)
class CheckInResult:
    status: CheckIn
    registration: Registration | None = None


def registration_check_in(
    *, event: Event, code: str, actor: Any, now: datetime | None = None
) -> CheckInResult:
    """Mark a ticket as used at the door; a second scan of the same ticket is refused."""
    now = now or timezone.now()
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    registration = (
        Registration.objects.filter(event=event, reference=code)
        .select_related("ticket_type")
        .first()
        if code
        else None
    )
    if registration is None:
        return CheckInResult(CheckIn.NOT_FOUND)
    if registration.status != Registration.Status.CONFIRMED:
        return CheckInResult(CheckIn.NOT_CONFIRMED, registration)
    # The conditional UPDATE is the guard: of two phones scanning at once, only one wins.
    with transaction.atomic():
        updated = Registration.objects.filter(
            pk=registration.pk, status=Registration.Status.CONFIRMED, checked_in_at__isnull=True
        ).update(checked_in_at=now, checked_in_by=actor)
        if not updated:
            registration.refresh_from_db()
            return CheckInResult(CheckIn.ALREADY, registration)
        registration.checked_in_at = now
        registration.checked_in_by = actor
        log_change(
            registration, action="checked_in", from_status=registration.status, actor=actor, now=now
        )
    return CheckInResult(CheckIn.OK, registration)
