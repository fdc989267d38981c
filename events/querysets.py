"""Reusable filters for events, registrations and waiting lists."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:  # the names appear only inside the string generics below
    from events.models import Event, Registration, WaitlistEntry  # noqa: F401


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        return self.filter(is_published=True)

    def upcoming(self, now: datetime | None = None) -> EventQuerySet:
        return self.filter(ends_at__gt=now or timezone.now())

    def past(self, now: datetime | None = None) -> EventQuerySet:
        return self.filter(ends_at__lte=now or timezone.now())


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def holding_seats(self, now: datetime | None = None) -> RegistrationQuerySet:
        """Registrations that take a seat: confirmed, or a payment hold that has not lapsed.

        A lapsed hold stops counting at once, even before the task that expires it has run.
        """
        return self.filter(
            Q(status="confirmed")
            | Q(status="pending_payment", hold_expires_at__gt=now or timezone.now())
        )

    def active(self) -> RegistrationQuerySet:
        return self.filter(status__in=["pending_approval", "pending_payment", "confirmed"])

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(status="confirmed")

    def lapsed_holds(self, now: datetime | None = None) -> RegistrationQuerySet:
        return self.filter(status="pending_payment", hold_expires_at__lte=now or timezone.now())


class WaitlistEntryQuerySet(models.QuerySet["WaitlistEntry"]):
    def live_offers(self, now: datetime | None = None) -> WaitlistEntryQuerySet:
        return self.filter(status="offered", offer_expires_at__gt=now or timezone.now())

    def lapsed_offers(self, now: datetime | None = None) -> WaitlistEntryQuerySet:
        return self.filter(status="offered", offer_expires_at__lte=now or timezone.now())

    def waiting(self) -> WaitlistEntryQuerySet:
        return self.filter(status="waiting")

    def in_line(self) -> WaitlistEntryQuerySet:
        """Waiting people in the order they will be offered a seat."""
        return self.waiting().order_by("-priority", "created_at", "pk")
