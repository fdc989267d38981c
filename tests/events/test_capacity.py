"""Seats are never oversold: concurrent registrations against the real PostgreSQL database."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from events import services
from events.models import Registration, TicketType, WaitlistEntry
from tests.events.helpers import register
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    TicketTypeFactory,
    WaitlistEntryFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 200
WORKERS = 40  # each worker thread holds its own connection; PostgreSQL allows 100 by default


def _attempt(ticket_type_id: int, index: int, round_no: int) -> str:
    try:
        ticket_type = TicketType.objects.select_related("event").get(pk=ticket_type_id)
        register(ticket_type, f"r{round_no}-{index}@example.com")
        return "confirmed"
    except services.RegistrationRefused as refusal:
        return refusal.code
    except Exception as exc:  # any other outcome is the failure this test looks for
        return f"error: {exc!r}"
    finally:
        connections.close_all()


def _storm(ticket_types: list[TicketType], round_no: int) -> Counter:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = pool.map(
            lambda i: _attempt(ticket_types[i % len(ticket_types)].pk, i, round_no),
            range(ATTEMPTS),
        )
        return Counter(outcomes)


def _fill(ticket_type: TicketType, confirmed: int, prefix: str) -> None:
    for index in range(confirmed):
        RegistrationFactory(ticket_type=ticket_type, email=f"{prefix}-{index}@example.com")


def test_concurrent_registrations_confirm_exactly_the_seats_left() -> None:
    for round_no, seats_left in enumerate((7, 1, 13)):
        event = EventFactory()
        ticket_type = TicketTypeFactory(event=event, capacity=25)
        # Taken seats: confirmed registrations, a live payment hold and a live waiting-list offer.
        _fill(ticket_type, 25 - seats_left - 2, f"full{round_no}")
        RegistrationFactory(
            ticket_type=ticket_type,
            email=f"hold{round_no}@example.com",
            status=Registration.Status.PENDING_PAYMENT,
            hold_expires_at=timezone.now() + timedelta(minutes=30),
        )
        WaitlistEntryFactory(
            ticket_type=ticket_type,
            email=f"offer{round_no}@example.com",
            status=WaitlistEntry.Status.OFFERED,
            offer_expires_at=timezone.now() + timedelta(hours=5),
        )
        # A lapsed hold gives its seat back even before the expiry task runs.
        RegistrationFactory(
            ticket_type=ticket_type,
            email=f"lapsed{round_no}@example.com",
            status=Registration.Status.PENDING_PAYMENT,
            hold_expires_at=timezone.now() - timedelta(minutes=1),
        )

        outcomes = _storm([ticket_type], round_no)

        assert outcomes == Counter({"confirmed": seats_left, "full": ATTEMPTS - seats_left})
        assert (
            Registration.objects.holding_seats().filter(ticket_type=ticket_type).count()
            + (WaitlistEntry.objects.live_offers().filter(ticket_type=ticket_type).count())
            == 25
        )


def test_ticket_types_sharing_a_session_room_never_overfill_it() -> None:
    for round_no, room_seats in enumerate((9, 4)):
        event = EventFactory()
        masterclass = SessionFactory(event=event, capacity=room_seats)
        public = TicketTypeFactory(event=event, session=masterclass, capacity=None)
        # The partners' ticket has its own quota, and shares the room.
        partners = TicketTypeFactory(event=event, session=masterclass, capacity=3)

        outcomes = _storm([public, partners], round_no + 10)

        assert outcomes == Counter({"confirmed": room_seats, "full": ATTEMPTS - room_seats})
        assert Registration.objects.filter(ticket_type__session=masterclass).count() == room_seats
        assert Registration.objects.filter(ticket_type=partners).count() <= 3
