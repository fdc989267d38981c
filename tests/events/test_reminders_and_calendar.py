"""Reminders a week and a day before, each sent once; calendar files parse as iCalendar."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from events import services
from events.models import Registration, TicketType
from tests.events.helpers import register

pytestmark = pytest.mark.django_db


def test_week_and_day_reminders_are_sent_once_each(free_ticket: TicketType) -> None:
    event = free_ticket.event
    registration = register(free_ticket, "rappel@example.com").registration
    mail.outbox.clear()

    with time_machine.travel(event.starts_at - timedelta(days=8)):
        assert services.reminders_send() == {"week": 0, "day": 0}
    with time_machine.travel(event.starts_at - timedelta(days=6, hours=23)):
        assert services.reminders_send() == {"week": 1, "day": 0}
        assert services.reminders_send() == {"week": 0, "day": 0}
    with time_machine.travel(event.starts_at - timedelta(hours=20)):
        assert services.reminders_send() == {"week": 0, "day": 1}
        assert services.reminders_send() == {"week": 0, "day": 0}

    assert [m.to for m in mail.outbox] == [[registration.email], [registration.email]]
    assert all(m.alternatives and m.attachments for m in mail.outbox)


def test_cancelled_registrations_get_no_reminder(free_ticket: TicketType) -> None:
    registration = register(free_ticket, "parti@example.com").registration
    services.registration_cancel(registration=registration, notify=False)
    mail.outbox.clear()
    with time_machine.travel(free_ticket.event.starts_at - timedelta(hours=20)):
        assert services.reminders_send() == {"week": 0, "day": 0}
    assert mail.outbox == []


def test_event_ics_is_valid_icalendar_in_paris_time(client, masterclass_ticket: TicketType) -> None:
    event = masterclass_ticket.event
    response = client.get(reverse("events:ics", args=[event.slug]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["SUMMARY"] == str(event)
    start = vevent.decoded("DTSTART")
    assert start == event.starts_at.replace(microsecond=0)
    assert str(start.tzinfo) == "Europe/Paris"
    assert b"DTSTART;TZID=Europe/Paris:" in response.content
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    assert vevent.decoded("DTEND") == event.ends_at.replace(microsecond=0)
    assert event.venue.name in str(vevent["LOCATION"])
    assert str(vevent["URL"]).endswith(event.get_absolute_url())
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_ticket_ics_carries_the_ticket_code(client, free_ticket: TicketType) -> None:
    registration = register(free_ticket, "ics@example.com").registration
    response = client.get(reverse("events:ticket_ics", args=[registration.token]))
    (vevent,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert registration.reference in str(vevent["DESCRIPTION"])


def test_anonymisation_erases_attendees_after_the_set_delay(
    free_ticket: TicketType, settings
) -> None:
    settings.EVENTS_ANONYMISE_AFTER_DAYS = 30
    registration = register(free_ticket, "rgpd@example.com", first_name="Léa").registration
    event = free_ticket.event

    with time_machine.travel(event.ends_at + timedelta(days=29)):
        call_command("events_anonymise", stdout=None)
    registration.refresh_from_db()
    assert registration.email == "rgpd@example.com"

    with time_machine.travel(event.ends_at + timedelta(days=31)):
        call_command("events_anonymise")
    registration.refresh_from_db()
    assert registration.anonymised_at is not None
    assert registration.first_name != "Léa"
    assert "rgpd" not in registration.email
    assert registration.status == Registration.Status.CONFIRMED  # statistics survive
    assert registration.log_entries.last().action == "anonymised"
