"""Calendar files (.ics) for events and tickets, built with icalendar."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from core.site import site_url
from events.models import Event, Registration

_STATUS = {
    Event.Status.SCHEDULED: "CONFIRMED",
    Event.Status.POSTPONED: "TENTATIVE",
    Event.Status.CANCELLED: "CANCELLED",
}


def _uid(event: Event) -> str:
    host = urlsplit(site_url()).hostname or "kiosque"
    return f"event-{event.pk}@{host}"


def event_calendar(event: Event, *, registration: Registration | None = None) -> bytes:
    """One VEVENT in Europe/Paris time, with the venue, the link and (for a ticket) its code."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Kiosque events//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if event.is_cancelled else "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", _uid(event))
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", timezone.localtime(event.starts_at).replace(microsecond=0))
    entry.add("dtend", timezone.localtime(event.ends_at).replace(microsecond=0))
    entry.add("summary", str(event))
    url = f"{site_url()}{event.get_absolute_url()}"
    description = [event.summary, url]
    if registration is not None:
        description.insert(0, f"{registration.ticket_type.name} — {registration.reference}")
    if event.venue.access_notes:
        description.append(event.venue.access_notes)
    entry.add("description", "\n\n".join(description))
    entry.add("location", f"{event.venue.name}, {event.venue.full_address}")
    if event.venue.latitude is not None and event.venue.longitude is not None:
        entry.add("geo", (float(event.venue.latitude), float(event.venue.longitude)))
    entry.add("url", url)
    entry.add("status", _STATUS[Event.Status(event.status)])
    # Attendees' calendars replace the entry when the sequence grows: date or venue changes.
    entry.add("sequence", int(event.updated_at.timestamp()) if event.updated_at else 0)
    entry.add("last-modified", event.updated_at or timezone.now())
    calendar.add_component(entry)
    # Calendar apps without a timezone database need the VTIMEZONE to place Paris times.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_filename(event: Event, when: datetime | None = None) -> str:
    return f"{event.slug}.ics"
