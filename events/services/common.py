"""What the sections of events.services share: refusals and results, holds, the seat lock
and count (see the package docstring), the audit log and owed emails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import (
    DiscountCode,
    Event,
    Registration,
    RegistrationLog,
    Session,
    TicketType,
    WaitlistEntry,
)
from paywall.access import entitlement

# How a cancellation's reason is written in the audit trail (erased with the attendee's data).
REASON_PREFIX = "reason="


def hold_duration() -> timedelta:
    return timedelta(minutes=settings.EVENTS_HOLD_MINUTES)


def offer_duration() -> timedelta:
    return timedelta(hours=settings.EVENTS_WAITLIST_OFFER_HOURS)


class RegistrationRefused(Exception):
    """A registration the rules do not allow; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    PENDING_PAYMENT = "pending_payment"
    PENDING_APPROVAL = "pending_approval"


@dataclass(frozen=True)
class RegistrationResult:
    outcome: Outcome
    registration: Registration
    checkout_url: str = ""


def log_change(
    registration: Registration,
    *,
    action: str,
    from_status: str = "",
    actor: Any = None,
    detail: str = "",
    now: datetime | None = None,
) -> None:
    """Append to the audit trail of ``registration`` (never personal data in ``detail``)."""
    RegistrationLog.objects.create(
        registration=registration,
        at=now or timezone.now(),
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=registration.status,
        detail=detail[:300],
    )


def reader_is_subscriber(user: Any, now: datetime | None = None) -> bool:
    """The paywall's notion of a subscriber: anything that opens every subscriber article."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    granted, _refusal = entitlement(user=user, client_ip=None, now=now or timezone.now())
    return granted is not None


def _lock_capacity(ticket_type_id: int) -> tuple[TicketType, Session | None]:
    """Lock the session row, then the ticket type row (the one order used everywhere)."""
    session_id = (
        TicketType.objects.filter(pk=ticket_type_id).values_list("session_id", flat=True).get()
    )
    session = (
        Session.objects.select_for_update().get(pk=session_id) if session_id is not None else None
    )
    ticket_type = (
        TicketType.objects.select_for_update().select_related("event").get(pk=ticket_type_id)
    )
    return ticket_type, session


def _taken(*, ticket_type: TicketType | None, session: Session | None, now: datetime) -> int:
    registrations = Registration.objects.holding_seats(now)
    offers = WaitlistEntry.objects.live_offers(now)
    if session is not None:
        registrations = registrations.filter(ticket_type__session=session)
        offers = offers.filter(ticket_type__session=session)
    else:
        registrations = registrations.filter(ticket_type=ticket_type)
        offers = offers.filter(ticket_type=ticket_type)
    return registrations.count() + offers.count()


def seats_free(ticket_type: TicketType, session: Session | None, now: datetime) -> int | None:
    """Seats left for ``ticket_type``: the tighter of its own and its session's (None: no limit).

    Exact only while the capacity rows are locked; elsewhere it is a display figure.
    """
    limits = []
    if ticket_type.capacity is not None:
        limits.append(ticket_type.capacity - _taken(ticket_type=ticket_type, session=None, now=now))
    if session is not None and session.capacity is not None:
        limits.append(session.capacity - _taken(ticket_type=None, session=session, now=now))
    return max(0, min(limits)) if limits else None


def _has_seat(ticket_type: TicketType, session: Session | None, now: datetime) -> bool:
    free = seats_free(ticket_type, session, now)
    return free is None or free > 0


def _discount_resolve(
    *, event: Event, ticket_type: TicketType, code: str, now: datetime
) -> DiscountCode | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    discount = DiscountCode.objects.filter(event=event, code=code).first()
    if discount is None or (discount.valid_until is not None and discount.valid_until <= now):
        raise RegistrationRefused("bad_code", _("This code is not valid for this event."))
    allowed = list(discount.ticket_types.values_list("pk", flat=True))
    if allowed and ticket_type.pk not in allowed:
        raise RegistrationRefused("bad_code", _("This code does not apply to this ticket."))
    return discount


def _window_check(
    *, event: Event, ticket_type: TicketType, subscriber: bool, offered: bool, now: datetime
) -> None:
    if event.status != Event.Status.SCHEDULED:
        raise RegistrationRefused(
            "not_scheduled", _("Registration is suspended: the event is postponed or cancelled.")
        )
    if not ticket_type.is_active or ticket_type.event_id != event.pk:
        raise RegistrationRefused("not_on_sale", _("This ticket is not on sale."))
    if now >= event.starts_at:
        raise RegistrationRefused("closed", _("Registration is closed: the event has started."))
    if offered:  # a waiting-list offer stays good until it lapses or the event starts
        return
    if now >= event.registration_closes_at:
        raise RegistrationRefused("closed", _("Registration for this event is closed."))
    opens_at = event.registration_opens_at
    if subscriber and ticket_type.subscriber_opens_at is not None:
        opens_at = min(opens_at, ticket_type.subscriber_opens_at)
    if now < opens_at:
        if ticket_type.subscriber_opens_at is not None and ticket_type.subscriber_opens_at <= now:
            raise RegistrationRefused(
                "subscribers_only",
                _("For now, only subscribers may book: registration opens to all on %(date)s.")
                % {"date": timezone.localtime(opens_at).strftime("%d/%m/%Y %H:%M")},
            )
        raise RegistrationRefused("not_open", _("Registration is not open yet."))


def _owe(name: str, *, publish: bool = True, **kwargs: Any) -> int:
    """Owe the task ``name`` of events.tasks in the current transaction (core.outbox).

    Call it inside the transaction that makes the change: the row commits with it, and a broker
    that is down or a worker that dies only delays the email.
    """
    from core import outbox
    from events import tasks

    return outbox.enqueue(getattr(tasks, name), publish=publish, **kwargs)


def _publish(entry_id: int | None) -> None:
    from core import outbox

    if entry_id is not None:
        outbox.publish_on_commit([entry_id])
