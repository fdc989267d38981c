"""The waiting list: line order, timed offers that pass on when they lapse, leaving the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Registration, TicketType, WaitlistEntry
from tests.events.helpers import register

pytestmark = pytest.mark.django_db


def _join(ticket_type: TicketType, email: str, **extra) -> WaitlistEntry:  # type: ignore[no-untyped-def]
    return services.waitlist_join(
        ticket_type=ticket_type, first_name="Sam", last_name="Roy", email=email, **extra
    )


@pytest.fixture
def full_ticket(free_ticket: TicketType) -> TicketType:
    free_ticket.capacity = 1
    free_ticket.save()
    register(free_ticket, "holder@example.com")
    return free_ticket


def test_freed_seat_goes_to_priority_then_earliest(
    full_ticket: TicketType, django_capture_on_commit_callbacks
) -> None:
    now = timezone.now()
    early = _join(full_ticket, "early@example.com", now=now - timedelta(hours=3))
    late = _join(full_ticket, "late@example.com", now=now - timedelta(hours=1))
    vip = _join(full_ticket, "vip@example.com", priority=5, now=now)
    assert {e.status for e in (early, late, vip)} == {WaitlistEntry.Status.WAITING}

    holder = Registration.objects.get(email="holder@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=holder, notify=False)

    vip.refresh_from_db()
    early.refresh_from_db()
    assert vip.status == WaitlistEntry.Status.OFFERED
    assert early.status == WaitlistEntry.Status.WAITING
    assert [m.to for m in mail.outbox] == [["vip@example.com"]]
    assert vip.get_absolute_url() in mail.outbox[0].body
    # The offer holds the seat: a newcomer finds the ticket full.
    with pytest.raises(services.RegistrationRefused):
        register(full_ticket, "newcomer@example.com")


def test_lapsed_offer_passes_to_the_next_in_line(
    full_ticket: TicketType, django_capture_on_commit_callbacks
) -> None:
    first = _join(full_ticket, "first@example.com", now=timezone.now() - timedelta(minutes=5))
    second = _join(full_ticket, "second@example.com")
    holder = Registration.objects.get(email="holder@example.com")
    services.registration_cancel(registration=holder, notify=False)
    first.refresh_from_db()
    assert first.status == WaitlistEntry.Status.OFFERED

    with time_machine.travel(first.offer_expires_at + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.waitlist_offers_expire() == 1
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == WaitlistEntry.Status.EXPIRED
        assert second.status == WaitlistEntry.Status.OFFERED
        assert services.waitlist_offers_expire() == 0  # safe to run twice


def test_offered_person_takes_the_seat_from_the_offer_page(client, full_ticket: TicketType) -> None:
    entry = _join(full_ticket, "offered@example.com")
    services.registration_cancel(
        registration=Registration.objects.get(email="holder@example.com"), notify=False
    )
    url = reverse("events:waitlist_entry", args=[entry.token])

    response = client.post(
        url,
        {"first_name": "Sam", "last_name": "Roy", "email": "other@example.com", "consent": "on"},
    )

    registration = Registration.objects.get(status=Registration.Status.CONFIRMED)
    assert response["Location"] == registration.get_absolute_url()
    assert registration.email == "offered@example.com"  # the offer is for its own address
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.ACCEPTED


def test_anyone_can_leave_the_list_and_a_held_offer_moves_on(
    client, full_ticket: TicketType
) -> None:
    leaving = _join(full_ticket, "leaving@example.com", now=timezone.now() - timedelta(minutes=5))
    staying = _join(full_ticket, "staying@example.com")
    services.registration_cancel(
        registration=Registration.objects.get(email="holder@example.com"), notify=False
    )
    leaving.refresh_from_db()
    assert leaving.status == WaitlistEntry.Status.OFFERED

    assert client.get(reverse("events:waitlist_leave", args=[leaving.token])).status_code == 405
    response = client.post(reverse("events:waitlist_leave", args=[leaving.token]))

    assert response.status_code == 302
    leaving.refresh_from_db()
    staying.refresh_from_db()
    assert leaving.status == WaitlistEntry.Status.LEFT
    assert staying.status == WaitlistEntry.Status.OFFERED


def test_joining_twice_is_refused(full_ticket: TicketType) -> None:
    _join(full_ticket, "twice@example.com")
    with pytest.raises(services.RegistrationRefused) as refusal:
        _join(full_ticket, "Twice@example.com")
    assert refusal.value.code == "duplicate_waitlist"


def test_waiting_page_shows_the_position(client, full_ticket: TicketType) -> None:
    _join(full_ticket, "a@example.com", now=timezone.now() - timedelta(minutes=2))
    second = _join(full_ticket, "b@example.com")
    response = client.get(reverse("events:waitlist_entry", args=[second.token]))
    assert response.status_code == 200
    assert response.context["position"] == 2
