"""The check-in desk: staff only, one entry per ticket."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events import services
from events.models import Registration, TicketType
from tests.events.helpers import register

pytestmark = pytest.mark.django_db


def test_second_check_in_of_the_same_ticket_is_refused(
    free_ticket: TicketType, event_staff
) -> None:
    registration = register(free_ticket, "porte@example.com").registration
    event = free_ticket.event

    first = services.registration_check_in(
        event=event, code=registration.reference.lower(), actor=event_staff
    )
    second = services.registration_check_in(
        event=event, code=registration.reference, actor=event_staff
    )

    assert first.status == services.CheckIn.OK
    assert second.status == services.CheckIn.ALREADY
    registration.refresh_from_db()
    assert registration.checked_in_by == event_staff
    assert registration.log_entries.filter(action="checked_in").count() == 1


def test_scan_endpoint_answers_json_for_the_desk(
    client, free_ticket: TicketType, event_staff
) -> None:
    registration = register(free_ticket, "scan@example.com", first_name="Nina").registration
    client.force_login(event_staff)
    url = reverse("events:checkin_scan", args=[free_ticket.event.slug])

    ok = client.post(url, {"code": registration.reference}, HTTP_ACCEPT="application/json")
    again = client.post(url, {"code": registration.reference}, HTTP_ACCEPT="application/json")
    unknown = client.post(url, {"code": "ZZZZ9999"}, HTTP_ACCEPT="application/json")

    assert ok.status_code == 200 and ok.json()["status"] == "ok"
    assert ok.json()["attendee"]["name"] == "Nina Durand"
    assert again.status_code == 409 and again.json()["status"] == "already"
    assert unknown.json()["status"] == "not_found"


def test_cancelled_ticket_cannot_enter(free_ticket: TicketType, event_staff) -> None:
    registration = register(free_ticket, "annule@example.com").registration
    services.registration_cancel(registration=registration, notify=False)
    result = services.registration_check_in(
        event=free_ticket.event, code=registration.reference, actor=event_staff
    )
    assert result.status == services.CheckIn.NOT_CONFIRMED
    assert Registration.objects.get().checked_in_at is None


def test_desk_is_for_staff_with_the_permission_only(
    client, reader, free_ticket: TicketType
) -> None:
    url = reverse("events:checkin", args=[free_ticket.event.slug])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(reader)
    assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("events:checkin_scan", args=[free_ticket.event.slug]), {"code": "X"}
        ).status_code
        == 403
    )


def test_desk_search_finds_attendees_by_name(client, free_ticket: TicketType, event_staff) -> None:
    register(free_ticket, "kamel@example.com", first_name="Kamel", last_name="Saci")
    register(free_ticket, "paul@example.com", first_name="Paul", last_name="Roll")
    client.force_login(event_staff)
    response = client.get(
        reverse("events:checkin_search", args=[free_ticket.event.slug]), {"q": "saci"}
    )
    assert [row["name"] for row in response.json()["results"]] == ["Kamel Saci"]


def test_scan_endpoint_refuses_get(client, free_ticket: TicketType, event_staff) -> None:
    client.force_login(event_staff)
    assert (
        client.get(reverse("events:checkin_scan", args=[free_ticket.event.slug])).status_code == 405
    )
