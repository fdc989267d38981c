"""The newsletters' "attendees of an event" segment (registered in EventsConfig.ready)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _


def attendees(rule: Mapping[str, Any]) -> Q:
    """Subscribers holding a confirmed ticket for the event whose slug is ``rule["event"]``.

    Matched by account when the subscriber has one, and by address (any case) otherwise, so a
    ticket booked with the same email without an account counts too.
    """
    from events.models import Registration

    confirmed = Registration.objects.filter(
        event__slug=rule["event"], status=Registration.Status.CONFIRMED
    )
    by_account = confirmed.filter(user_id=OuterRef("user_id"))
    by_address = confirmed.annotate(address=Lower("email")).filter(address=Lower(OuterRef("email")))
    return Q(Exists(by_account)) | Q(Exists(by_address))


def attendees_check(rule: Mapping[str, Any]) -> None:
    from events.models import Event

    if not Event.objects.filter(slug=str(rule["event"])).exists():
        raise ValidationError(
            _("No event has the address “%(slug)s”."),
            code="unknown_event",
            params={"slug": rule["event"]},
        )
