"""The events staff role: events, programme, tickets, registrations and the check-in desk."""

from __future__ import annotations

from django.contrib.auth.models import Group

from core.roles import Permissions, crud, group_sync

EVENTS_GROUP = "Événements"

EVENTS_PERMISSIONS: Permissions = {
    "events": crud(
        ("venue", "speaker", "event", "session", "tickettype", "question", "discountcode"),
        ("add", "change", "delete", "view"),
    )
    # Seats are only taken through the site: registrations are changed (cancelled, refunded,
    # approved), never added or deleted in the admin.
    + crud(("registration", "waitlistentry"), ("change", "view"))
    + crud(("eventmessage",), ("add", "change", "view"))
    + crud(("registrationlog",), ("view",))
    + ["checkin_registration"],
    # Linking the announcement and the write-ups of an event.
    "magazine": ["view_article"],
}


def events_group_sync(*, using: str = "default") -> Group:
    """Create or update the events staff group so it holds exactly EVENTS_PERMISSIONS."""
    return group_sync(EVENTS_GROUP, EVENTS_PERMISSIONS, using=using)
