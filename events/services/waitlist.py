"""The waiting list: joining, leaving, offers of freed seats and their expiry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import (
    Event,
    Registration,
    Session,
    TicketType,
    WaitlistEntry,
)
from events.services.common import (
    RegistrationRefused,
    _has_seat,
    _lock_capacity,
    _owe,
    _taken,
    offer_duration,
)


def waitlist_join(
    *,
    ticket_type: TicketType,
    first_name: str,
    last_name: str,
    email: str,
    user: Any = None,
    priority: int = 0,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put someone in line for a ticket; the next freed seat is offered in line order."""
    now = now or timezone.now()
    email = email.strip().lower()
    if ticket_type.event.status != Event.Status.SCHEDULED or now >= ticket_type.event.starts_at:
        raise RegistrationRefused("closed", _("The waiting list for this event is closed."))
    if Registration.objects.active().filter(ticket_type=ticket_type, email=email).exists():
        raise RegistrationRefused(
            "duplicate", _("You are already registered with this email address.")
        )
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                ticket_type=ticket_type,
                user=user
                if user is not None and getattr(user, "is_authenticated", False)
                else None,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                email=email,
                priority=priority,
                created_at=now,
            )
    except IntegrityError as exc:
        raise RegistrationRefused(
            "duplicate_waitlist", _("You are already on the waiting list for this ticket.")
        ) from exc
    # A seat may have freed between the "sold out" page and now.
    with transaction.atomic():
        _lock_capacity(ticket_type.pk)
        _offer_freed_seats(ticket_type.pk, now=now)
    entry.refresh_from_db()
    return entry


def waitlist_leave(*, entry: WaitlistEntry, now: datetime | None = None) -> WaitlistEntry:
    """Anyone may leave the line; an offer they held goes to the next person."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_capacity(entry.ticket_type_id)
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status not in (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED):
            return entry
        was_offered = entry.status == WaitlistEntry.Status.OFFERED
        entry.status = WaitlistEntry.Status.LEFT
        entry.save(update_fields=["status", "updated_at"])
        if was_offered:
            _offer_freed_seats(entry.ticket_type_id, now=now)
    return entry


def waitlist_offers_expire(*, now: datetime | None = None) -> int:
    """Lapse every offer past its deadline and offer the seat to the next in line."""
    now = now or timezone.now()
    lapsed = 0
    for entry_id, ticket_type_id in WaitlistEntry.objects.lapsed_offers(now).values_list(
        "pk", "ticket_type_id"
    ):
        with transaction.atomic():
            _lock_capacity(ticket_type_id)
            entry = WaitlistEntry.objects.select_for_update().get(pk=entry_id)
            if entry.status != WaitlistEntry.Status.OFFERED or entry.offer_is_live(now):
                continue
            entry.status = WaitlistEntry.Status.EXPIRED
            entry.save(update_fields=["status", "updated_at"])
            lapsed += 1
            _offer_freed_seats(ticket_type_id, now=now)
    return lapsed


def waitlist_offers_make(*, ticket_type: TicketType, now: datetime | None = None) -> list[int]:
    """Offer any free seats of ``ticket_type`` (and its session) to the people in line."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_capacity(ticket_type.pk)
        return _offer_freed_seats(ticket_type.pk, now=now)


def _offer_freed_seats(ticket_type_id: int, *, now: datetime) -> list[int]:
    """Offer free seats in line order. The caller holds the lock on ``ticket_type_id``'s rows.

    For a session ticket, every ticket type of the session shares the room: the line is the
    union of their waiting lists, each person still needing a seat of their own ticket type.
    """
    ticket_type = TicketType.objects.select_related("event", "session").get(pk=ticket_type_id)
    if ticket_type.event.status != Event.Status.SCHEDULED or now >= ticket_type.event.starts_at:
        return []
    session = ticket_type.session
    if session is not None:
        siblings = list(
            TicketType.objects.select_for_update()
            .filter(session=session)
            .order_by("pk")
            .select_related("event")
        )
    else:
        siblings = [ticket_type]
    by_id = {sibling.pk: sibling for sibling in siblings}
    offered: list[int] = []
    for entry in WaitlistEntry.objects.in_line().filter(ticket_type__in=list(by_id)):
        if not _has_seat(by_id[entry.ticket_type_id], session, now):
            if session is not None and not _has_seat_in_session(session, now):
                break
            continue
        entry.status = WaitlistEntry.Status.OFFERED
        entry.offer_expires_at = min(now + offer_duration(), ticket_type.event.starts_at)
        entry.save(update_fields=["status", "offer_expires_at", "updated_at"])
        offered.append(entry.pk)
        _owe("waitlist_offer_send", entry_id=entry.pk)
    return offered


def _has_seat_in_session(session: Session, now: datetime) -> bool:
    if session.capacity is None:
        return True
    return _taken(ticket_type=None, session=session, now=now) < session.capacity
