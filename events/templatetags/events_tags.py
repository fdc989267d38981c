"""Template helpers for events: prices, structured data and the article announcement cards."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString

from core.site import site_url
from events import selectors
from events.models import Event
from magazine.templatetags.magazine_tags import absolute_url, json_ld_script

register = template.Library()

_EVENT_STATUS = {
    Event.Status.SCHEDULED: "https://schema.org/EventScheduled",
    Event.Status.POSTPONED: "https://schema.org/EventPostponed",
    Event.Status.CANCELLED: "https://schema.org/EventCancelled",
}


@register.filter
def price(cents: int | None, currency: str = "eur") -> str:
    from subscriptions.paywall import format_price

    if cents is None:
        return ""
    return format_price(int(cents), currency or "eur")


def _place(event: Event) -> dict[str, Any]:
    venue = event.venue
    place: dict[str, Any] = {
        "@type": "Place",
        "name": venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": venue.address,
            "postalCode": venue.postal_code,
            "addressLocality": venue.city,
            "addressCountry": venue.country,
        },
    }
    if venue.latitude is not None and venue.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(venue.latitude),
            "longitude": float(venue.longitude),
        }
    return place


def _offer(event: Event, ticket: Any, url: str) -> dict[str, Any]:
    return {
        "@type": "Offer",
        "name": ticket.ticket_type.name,
        "price": f"{ticket.price_cents / 100:.2f}",
        "priceCurrency": ticket.ticket_type.currency.upper(),
        "availability": "https://schema.org/SoldOut"
        if ticket.is_full
        else "https://schema.org/InStock",
        "url": url,
        "validFrom": timezone.localtime(event.registration_opens_at).isoformat(),
    }


def _sub_event(
    event: Event, session: Any, *, place: dict[str, Any], url: str, status: str
) -> dict[str, Any]:
    sub_event: dict[str, Any] = {
        "@type": "BusinessEvent",
        "name": session.title,
        "startDate": timezone.localtime(session.starts_at).isoformat(),
        "endDate": timezone.localtime(session.ends_at).isoformat(),
        "location": {**place, "name": f"{event.venue.name} — {session.room}"}
        if session.room
        else place,
        "eventStatus": status,
        "url": f"{url}#session-{session.pk}",
    }
    performers = [
        {"@type": "Person", "name": speaker.name, "jobTitle": speaker.affiliation}
        for speaker in session.speakers.all()
    ]
    if performers:
        sub_event["performer"] = performers
    return sub_event


def event_structured_data(event: Event, tickets: list[Any] | None = None) -> dict[str, Any]:
    """schema.org BusinessEvent, its sessions as subEvent (sessions and speakers prefetched)."""
    url = absolute_url(event.get_absolute_url())
    place = _place(event)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BusinessEvent",
        "name": str(event),
        "description": event.summary,
        "url": url,
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventStatus": _EVENT_STATUS[Event.Status(event.status)],
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "organizer": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": site_url(),
        },
    }
    if event.image:
        data["image"] = [absolute_url(event.image.url)]
    if tickets:
        data["offers"] = [_offer(event, ticket, url) for ticket in tickets]
    sub_events = [
        _sub_event(event, session, place=place, url=url, status=data["eventStatus"])
        for session in event.sessions.all()
    ]
    if sub_events:
        data["subEvent"] = sub_events
    # Keyed by speaker so someone speaking in several sessions is listed once.
    event_performers = {
        speaker.pk: {"@type": "Person", "name": speaker.name}
        for session in event.sessions.all()
        for speaker in session.speakers.all()
    }
    if event_performers:
        data["performer"] = list(event_performers.values())
    return data


@register.simple_tag
def event_json_ld(event: Event, tickets: list[Any] | None = None) -> SafeString:
    return json_ld_script(event_structured_data(event, tickets))


@register.inclusion_tag("events/includes/article_event_cards.html")
def event_cards_for_article(article: Any) -> dict[str, Any]:
    """The events an article announces, with live seats left.

    Usage in the article page: ``{% load events_tags %}{% event_cards_for_article article %}``.
    """
    return {"announced": selectors.events_for_article(article)}


@register.filter
def day_span(event: Event) -> str:
    """``12 juin 2026`` or ``11–12 juin 2026``: the dates of an event, local time."""
    from django.utils import dateformat

    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    if start.date() == end.date():
        return dateformat.format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{dateformat.format(end, 'j F Y')}"
    return f"{dateformat.format(start, 'j F')} – {dateformat.format(end, 'j F Y')}"
