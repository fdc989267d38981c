"""Registration workflows: seats, holds, payments, waiting lists, check-in and clean-up.

Seat safety rests on one lock design. Every write that takes or frees a seat first locks the
capacity rows it depends on with SELECT … FOR UPDATE, always in the same order — the session row
(when the ticket is for a session), then the ticket type row(s) in primary-key order — and counts
the seats already taken (confirmed registrations, live payment holds, live waiting-list offers)
inside that lock. Two writers on the same capacity therefore run one after the other, and the
fixed order means they cannot deadlock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import (
    DiscountCode,
    Event,
    EventMessage,
    Registration,
    RegistrationLog,
    Session,
    TicketType,
    WaitlistEntry,
)

logger = logging.getLogger(__name__)

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


# --- helpers ----------------------------------------------------------------------------------


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
    from subscriptions.paywall import entitlement

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


# --- registration -----------------------------------------------------------------------------


def registration_create(
    *,
    event: Event,
    ticket_type: TicketType,
    first_name: str,
    last_name: str,
    email: str,
    user: Any = None,
    company: str = "",
    job_title: str = "",
    answers: dict[str, Any] | None = None,
    consent: bool = False,
    discount_code: str = "",
    waitlist_entry: WaitlistEntry | None = None,
    success_url: str = "",
    cancel_url: str = "",
    now: datetime | None = None,
) -> RegistrationResult:
    """Register someone for a ticket: confirmed at once when free, a payment hold when paid.

    Raises RegistrationRefused (code "full" when no seat is left).
    """
    now = now or timezone.now()
    email = email.strip().lower()
    if not consent:
        raise RegistrationRefused(
            "consent", _("Please accept the processing of your data to register.")
        )
    subscriber = reader_is_subscriber(user, now)
    _window_check(
        event=event,
        ticket_type=ticket_type,
        subscriber=subscriber,
        offered=waitlist_entry is not None,
        now=now,
    )
    discount = _discount_resolve(event=event, ticket_type=ticket_type, code=discount_code, now=now)
    if ticket_type.access == TicketType.Access.INVITATION and not (
        (discount is not None and discount.unlocks_invitation) or waitlist_entry is not None
    ):
        raise RegistrationRefused(
            "invitation", _("This ticket is by invitation: enter the code you received.")
        )

    try:
        with transaction.atomic():
            registration = _registration_insert(
                event=event,
                ticket_type_id=ticket_type.pk,
                user=user,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                email=email,
                company=company.strip(),
                job_title=job_title.strip(),
                answers=answers or {},
                discount=discount,
                subscriber=subscriber,
                waitlist_entry=waitlist_entry,
                now=now,
            )
    except IntegrityError as exc:
        # Same email, same ticket, two tabs: the partial unique index caught the second one.
        raise RegistrationRefused(
            "duplicate", _("You are already registered with this email address.")
        ) from exc

    if registration.status == Registration.Status.PENDING_PAYMENT:
        # The payment provider is called outside the lock and the transaction: a slow network
        # must never hold other people's seats. Without a session the hold simply lapses.
        url = payment_start(
            registration=registration, success_url=success_url, cancel_url=cancel_url
        )
        return RegistrationResult(Outcome.PENDING_PAYMENT, registration, url)
    return RegistrationResult(Outcome(registration.status), registration)


def _registration_insert(
    *,
    event: Event,
    ticket_type_id: int,
    user: Any,
    first_name: str,
    last_name: str,
    email: str,
    company: str,
    job_title: str,
    answers: dict[str, Any],
    discount: DiscountCode | None,
    subscriber: bool,
    waitlist_entry: WaitlistEntry | None,
    now: datetime,
) -> Registration:
    ticket_type, session = _lock_capacity(ticket_type_id)
    if Registration.objects.active().filter(ticket_type=ticket_type, email=email).exists() or (
        session is not None
        and Registration.objects.active().filter(ticket_type__session=session, email=email).exists()
    ):
        raise RegistrationRefused(
            "duplicate", _("You are already registered with this email address.")
        )

    if waitlist_entry is not None:
        entry = WaitlistEntry.objects.select_for_update().get(pk=waitlist_entry.pk)
        if entry.ticket_type_id != ticket_type.pk or not entry.offer_is_live(now):
            raise RegistrationRefused(
                "offer_lapsed", _("This offer has lapsed: the seat went to the next person.")
            )
        # The offer already holds the seat: turning it into a registration takes nothing more.
        entry.status = WaitlistEntry.Status.ACCEPTED
        entry.save(update_fields=["status", "updated_at"])
    elif not _has_seat(ticket_type, session, now):
        raise RegistrationRefused("full", _("Sold out — you can join the waiting list."))

    if discount is not None and discount.max_uses is not None:
        discount = DiscountCode.objects.select_for_update().get(pk=discount.pk)
        used = Registration.objects.active().filter(discount_code=discount).count()
        # Read again under the lock: the limit may have been lifted meanwhile.
        if discount.max_uses is not None and used >= discount.max_uses:
            raise RegistrationRefused("bad_code", _("This code has been used up."))

    price = ticket_type.price_for(subscriber=subscriber)
    if discount is not None and discount.percent_off:
        price = price * (100 - discount.percent_off) // 100

    if ticket_type.access == TicketType.Access.APPROVAL and waitlist_entry is None:
        status = Registration.Status.PENDING_APPROVAL
    elif price == 0:
        status = Registration.Status.CONFIRMED
    else:
        status = Registration.Status.PENDING_PAYMENT

    registration = Registration.objects.create(
        event=event,
        ticket_type=ticket_type,
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        first_name=first_name,
        last_name=last_name,
        email=email,
        company=company,
        job_title=job_title,
        answers=answers,
        status=status,
        price_cents=price,
        currency=ticket_type.currency,
        discount_code=discount,
        is_subscriber=subscriber,
        hold_expires_at=now + hold_duration()
        if status == Registration.Status.PENDING_PAYMENT
        else None,
        consent_at=now,
    )
    detail = f"ticket={ticket_type.pk} price={price}"
    if waitlist_entry is not None:
        detail += f" waitlist={waitlist_entry.pk}"
    log_change(registration, action="created", actor=user, detail=detail, now=now)
    if status == Registration.Status.CONFIRMED:
        _owe_confirmation(registration)
    elif status == Registration.Status.PENDING_APPROVAL:
        _owe("registration_received_send", registration_id=registration.pk)
    return registration


def _owe(name: str, *, publish: bool = True, **kwargs: Any) -> int:
    """Owe the task ``name`` of events.tasks in the current transaction (core.outbox).

    Call it inside the transaction that makes the change: the row commits with it, and a broker
    that is down or a worker that dies only delays the email.
    """
    from core import outbox
    from events import tasks

    return outbox.enqueue(getattr(tasks, name), publish=publish, **kwargs)


def _owe_confirmation(registration: Registration) -> None:
    _owe("registration_confirmation_send", registration_id=registration.pk)


def _publish(entry_id: int | None) -> None:
    from core import outbox

    if entry_id is not None:
        outbox.publish_on_commit([entry_id])


def payment_start(*, registration: Registration, success_url: str, cancel_url: str) -> str:
    """Open a checkout for a held registration; the payer's URL, or '' when it failed."""
    from events import payments

    try:
        checkout = payments.checkout_session_create(
            registration=registration, success_url=success_url, cancel_url=cancel_url
        )
    except payments.PaymentUnavailable:
        logger.exception("Checkout could not start for registration %s", registration.pk)
        return ""
    Registration.objects.filter(pk=registration.pk).update(
        stripe_checkout_session_id=checkout.session_id
    )
    registration.stripe_checkout_session_id = checkout.session_id
    log_change(registration, action="checkout_started", detail=checkout.session_id)
    return checkout.url


def registration_payment_confirmed(
    *, checkout_session_id: str, payment_intent_id: str = "", amount_total: int | None = None
) -> Registration | None:
    """The payment went through (webhook): confirm the registration, once, whatever the order.

    A payment arriving after its hold lapsed still gets the seat if one is free; otherwise it is
    refunded in full.
    """
    now = timezone.now()
    found = (
        Registration.objects.filter(stripe_checkout_session_id=checkout_session_id)
        .values_list("pk", "ticket_type_id")
        .first()
    )
    if found is None:
        logger.warning("Payment for unknown checkout session %s", checkout_session_id)
        return None
    registration_id, ticket_type_id = found
    notice: int | None = None
    with transaction.atomic():
        ticket_type, session = _lock_capacity(ticket_type_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.paid_at is not None:
            return registration  # a repeated webhook: already done
        previous = registration.status
        registration.paid_at = now
        registration.stripe_payment_intent_id = payment_intent_id or ""
        if registration.holds_seat(now) or (
            registration.status
            in (Registration.Status.PENDING_PAYMENT, Registration.Status.EXPIRED)
            and _has_seat(ticket_type, session, now)
        ):
            registration.status = Registration.Status.CONFIRMED
            registration.hold_expires_at = None
            registration.save()
            log_change(
                registration,
                action="payment_confirmed",
                from_status=previous,
                detail=f"amount={amount_total}",
                now=now,
            )
            _owe_confirmation(registration)
        else:
            registration.save()
            log_change(
                registration,
                action="payment_after_seat_lost",
                from_status=previous,
                detail=f"amount={amount_total}",
                now=now,
            )
            # Owed now, published once the refund is recorded (the email tells of it).
            notice = _owe(
                "registration_cancelled_send", publish=False, registration_id=registration.pk
            )
    if notice is not None:
        registration_refund(registration=registration, amount_cents=registration.price_cents)
        _publish(notice)
    return registration


def registration_checkout_expired(*, checkout_session_id: str) -> Registration | None:
    """The provider gave up on the checkout: release the hold now rather than at its deadline."""
    registration = Registration.objects.filter(
        stripe_checkout_session_id=checkout_session_id
    ).first()
    if registration is None:
        return None
    return _hold_release(registration_id=registration.pk, now=timezone.now(), force=True)


def registration_refund(
    *, registration: Registration, amount_cents: int, actor: Any = None
) -> bool:
    """Refund a paid registration through the gateway; returns False when it must be retried."""
    from events import payments

    if registration.paid_at is None or amount_cents <= 0:
        return True
    if registration.refunded_cents >= registration.price_cents:
        return True  # already refunded: never twice
    try:
        refund_id = payments.refund_create(registration=registration, amount_cents=amount_cents)
    except payments.PaymentUnavailable:
        logger.exception("Refund failed for registration %s", registration.pk)
        log_change(
            registration, action="refund_failed", actor=actor, detail=f"amount={amount_cents}"
        )
        return False
    now = timezone.now()
    Registration.objects.filter(pk=registration.pk).update(
        refunded_cents=amount_cents, refunded_at=now, stripe_refund_id=refund_id
    )
    registration.refunded_cents = amount_cents
    registration.refunded_at = now
    registration.stripe_refund_id = refund_id
    log_change(registration, action="refunded", actor=actor, detail=f"amount={amount_cents}")
    return True


def registration_refund_recorded(*, payment_intent_id: str, amount_refunded: int) -> None:
    """The provider reports a refund (perhaps made in its dashboard): mirror it locally."""
    for registration in Registration.objects.filter(stripe_payment_intent_id=payment_intent_id):
        if registration.refunded_cents != amount_refunded:
            Registration.objects.filter(pk=registration.pk).update(
                refunded_cents=amount_refunded, refunded_at=timezone.now()
            )
            registration.refunded_cents = amount_refunded
            log_change(registration, action="refund_recorded", detail=f"amount={amount_refunded}")


def refund_due(registration: Registration, *, full_refund: bool, now: datetime) -> int:
    """What the event's policy gives back when this registration is cancelled."""
    if registration.paid_at is None:
        return 0
    remaining = registration.price_cents - registration.refunded_cents
    if full_refund or registration.event.is_cancelled:
        return remaining
    deadline = registration.event.refund_deadline()
    if deadline is not None and now <= deadline:
        return remaining
    return 0


def registration_cancel(
    *,
    registration: Registration,
    actor: Any = None,
    by_organiser: bool = False,
    full_refund: bool = False,
    notify: bool = True,
    reason: str = "",
    now: datetime | None = None,
) -> Registration:
    """Cancel a registration, free its seat (offered to the waiting list) and refund.

    The refund follows the event's policy unless ``full_refund``. Once the attendee has checked
    in or the event has started, only organisers may cancel, and they must give a ``reason``,
    which the audit trail keeps.
    """
    now = now or timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        _lock_capacity(registration.ticket_type_id)
        registration = (
            Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        )
        if not registration.is_active:
            return registration
        if not by_organiser and registration.checked_in_at is not None:
            raise RegistrationRefused(
                "checked_in",
                _("You have checked in at the event: the registration can no longer be cancelled."),
            )
        if not by_organiser and now >= registration.event.starts_at:
            raise RegistrationRefused(
                "started", _("The event has started: the registration can no longer be cancelled.")
            )
        if by_organiser and not reason and not registration.attendee_may_cancel(now):
            raise RegistrationRefused(
                "reason_required",
                _(
                    "This attendee has checked in or the event has started: give a reason to "
                    "cancel the registration."
                ),
            )
        previous = registration.status
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = now
        registration.hold_expires_at = None
        registration.save()
        log_change(
            registration,
            action="cancelled_by_organiser" if by_organiser else "cancelled",
            from_status=previous,
            actor=actor,
            detail=f"{REASON_PREFIX}{reason}" if reason else "",
            now=now,
        )
        _offer_freed_seats(registration.ticket_type_id, now=now)
        # Owed with the cancellation, published once the refund is recorded (the email tells
        # of it).
        notice = (
            _owe("registration_cancelled_send", publish=False, registration_id=registration.pk)
            if notify and previous != Registration.Status.PENDING_PAYMENT
            else None
        )
    amount = refund_due(registration, full_refund=full_refund, now=now)
    if amount:
        registration_refund(registration=registration, amount_cents=amount, actor=actor)
    _publish(notice)
    return registration


def registration_approve(*, registration: Registration, actor: Any = None) -> Registration:
    """Accept a request: confirmed (or a payment hold) if a seat is free, else refused as full."""
    now = timezone.now()
    with transaction.atomic():
        ticket_type, session = _lock_capacity(registration.ticket_type_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.PENDING_APPROVAL:
            return registration
        if not _has_seat(ticket_type, session, now):
            raise RegistrationRefused("full", _("No seat is left for this ticket."))
        if registration.price_cents == 0:
            registration.status = Registration.Status.CONFIRMED
            _owe_confirmation(registration)
        else:
            # An approved paid request gets a longer hold: the payer learns of it by email.
            registration.status = Registration.Status.PENDING_PAYMENT
            registration.hold_expires_at = now + offer_duration()
            _owe("registration_payment_request_send", registration_id=registration.pk)
        registration.save()
        log_change(
            registration,
            action="approved",
            from_status=Registration.Status.PENDING_APPROVAL,
            actor=actor,
            now=now,
        )
    return registration


def registration_reject(*, registration: Registration, actor: Any = None) -> Registration:
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.PENDING_APPROVAL:
            return registration
        registration.status = Registration.Status.REJECTED
        registration.save()
        log_change(
            registration,
            action="rejected",
            from_status=Registration.Status.PENDING_APPROVAL,
            actor=actor,
        )
        _owe("registration_rejected_send", registration_id=registration.pk)
    return registration


def _hold_release(*, registration_id: int, now: datetime, force: bool = False) -> Registration:
    ticket_type_id = Registration.objects.values_list("ticket_type_id", flat=True).get(
        pk=registration_id
    )
    with transaction.atomic():
        _lock_capacity(ticket_type_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        lapsed = registration.hold_expires_at is not None and registration.hold_expires_at <= now
        if registration.status != Registration.Status.PENDING_PAYMENT or not (lapsed or force):
            return registration
        registration.status = Registration.Status.EXPIRED
        registration.save()
        log_change(
            registration,
            action="hold_expired",
            from_status=Registration.Status.PENDING_PAYMENT,
            now=now,
        )
        _offer_freed_seats(ticket_type_id, now=now)
    return registration


def holds_expire(*, now: datetime | None = None) -> int:
    """Release every lapsed payment hold and offer the seats on; returns how many."""
    now = now or timezone.now()
    released = 0
    for registration_id in Registration.objects.lapsed_holds(now).values_list("pk", flat=True):
        registration = _hold_release(registration_id=registration_id, now=now)
        released += registration.status == Registration.Status.EXPIRED
    return released


# --- waiting list -----------------------------------------------------------------------------


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


# --- check-in ---------------------------------------------------------------------------------


class CheckIn(StrEnum):
    OK = "ok"
    ALREADY = "already"
    NOT_FOUND = "not_found"
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True)
class CheckInResult:
    status: CheckIn
    registration: Registration | None = None


def registration_check_in(
    *, event: Event, code: str, actor: Any, now: datetime | None = None
) -> CheckInResult:
    """Mark a ticket as used at the door; a second scan of the same ticket is refused."""
    now = now or timezone.now()
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    registration = (
        Registration.objects.filter(event=event, reference=code)
        .select_related("ticket_type")
        .first()
        if code
        else None
    )
    if registration is None:
        return CheckInResult(CheckIn.NOT_FOUND)
    if registration.status != Registration.Status.CONFIRMED:
        return CheckInResult(CheckIn.NOT_CONFIRMED, registration)
    # The conditional UPDATE is the guard: of two phones scanning at once, only one wins.
    with transaction.atomic():
        updated = Registration.objects.filter(
            pk=registration.pk, status=Registration.Status.CONFIRMED, checked_in_at__isnull=True
        ).update(checked_in_at=now, checked_in_by=actor)
        if not updated:
            registration.refresh_from_db()
            return CheckInResult(CheckIn.ALREADY, registration)
        registration.checked_in_at = now
        registration.checked_in_by = actor
        log_change(
            registration, action="checked_in", from_status=registration.status, actor=actor, now=now
        )
    return CheckInResult(CheckIn.OK, registration)


# --- notices, reminders, messages, anonymisation ----------------------------------------------


def reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Send the week-before and day-before reminders that are due, each once.

    Each reminder is claimed and owed (core.outbox) in one transaction, then sent here: a worker
    that dies before sending leaves it to the outbox sweeper, never lost.
    """
    from core import outbox

    now = now or timezone.now()
    sent = {"week": 0, "day": 0}
    base = Registration.objects.confirmed().filter(
        event__status=Event.Status.SCHEDULED, event__starts_at__gt=now
    )
    windows = (
        ("day", "reminder_day_sent_at", timedelta(days=1)),
        ("week", "reminder_week_sent_at", timedelta(days=7)),
    )
    for kind, field, ahead in windows:
        due = base.filter(event__starts_at__lte=now + ahead, **{f"{field}__isnull": True})
        if kind == "week":
            # Someone who registers the day before gets the day reminder only.
            due = due.filter(event__starts_at__gt=now + timedelta(days=1))
        for registration_id in due.values_list("pk", flat=True):
            with transaction.atomic():
                # Claim first: a second worker running the same beat finds nothing.
                claimed = Registration.objects.filter(
                    pk=registration_id, **{f"{field}__isnull": True}
                ).update(**{field: now})
                if not claimed:
                    continue
                if kind == "day":  # the week reminder would now say the same thing a day late
                    Registration.objects.filter(
                        pk=registration_id, reminder_week_sent_at__isnull=True
                    ).update(reminder_week_sent_at=now)
                owed = _owe(
                    "registration_reminder_send",
                    publish=False,
                    registration_id=registration_id,
                    kind=kind,
                )
            outbox.run(owed)
            sent[kind] += 1
    return sent


def event_change_notify(*, event: Event, changes: list[str]) -> int:
    """Tell attendees that the date, place or status of their event has changed.

    Call it in the transaction that saves the change: one notice per registration is owed
    (core.outbox) with it, and workers send them once it commits. Returns how many.
    """
    from core import outbox
    from events import tasks

    ids = list(Registration.objects.active().filter(event=event).values_list("pk", flat=True))
    outbox.enqueue_many(
        tasks.registration_change_notice_send,
        [{"registration_id": pk, "changes": changes} for pk in ids],
    )
    return len(ids)


def event_cancel(*, event: Event, actor: Any = None) -> int:
    """Cancel the whole event: every registration is cancelled, refunded and told."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "updated_at"])
    count = 0
    for registration in Registration.objects.active().filter(event=event):
        registration_cancel(
            registration=registration,
            actor=actor,
            by_organiser=True,
            full_refund=True,
            reason="event cancelled",
        )
        count += 1
    WaitlistEntry.objects.filter(
        ticket_type__event=event,
        status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
    ).update(status=WaitlistEntry.Status.LEFT)
    return count


def event_message_send(*, message: EventMessage) -> int:
    """Send an organisers' message to its audience, once; returns how many recipients.

    The message is marked sent and one copy per recipient owed (core.outbox) in one
    transaction; workers send the copies once it commits.
    """
    from core import outbox
    from events import tasks

    with transaction.atomic():
        claimed = EventMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if not claimed:
            return 0
        message.refresh_from_db()
        if message.audience == EventMessage.Audience.ATTENDEES:
            key = "registration_id"
            recipients = list(
                Registration.objects.confirmed()
                .filter(event=message.event)
                .order_by("pk")
                .values_list("email", "pk")
            )
        else:
            key = "entry_id"
            recipients = list(
                WaitlistEntry.objects.filter(
                    ticket_type__event=message.event,
                    status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
                )
                .order_by("pk")
                .values_list("email", "pk")
            )
        unique: dict[str, int] = {}
        for email, pk in recipients:  # one email per address, even with several tickets
            unique.setdefault(email, pk)
        EventMessage.objects.filter(pk=message.pk).update(recipients_count=len(unique))
        outbox.enqueue_many(
            tasks.event_message_deliver,
            [{"message_id": message.pk, key: pk} for pk in unique.values()],
        )
    return len(unique)


ANONYMOUS = "—"


def registrations_anonymise(*, now: datetime | None = None) -> int:
    """Erase attendees' personal data once their event ended EVENTS_ANONYMISE_AFTER_DAYS ago.

    Counts, statuses, prices and check-in times stay for the statistics.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EVENTS_ANONYMISE_AFTER_DAYS)
    with transaction.atomic():
        registrations = Registration.objects.filter(
            event__ends_at__lte=cutoff, anonymised_at__isnull=True
        )
        ids = list(registrations.values_list("pk", flat=True))
        Registration.objects.filter(pk__in=ids).update(
            user=None,
            first_name=ANONYMOUS,
            last_name="",
            # The active-registration index is per email: each row gets a unique, inert one.
            email=Concat(Value("anonymised-"), Cast("pk", CharField()), Value("@invalid")),
            company="",
            job_title="",
            answers={},
            anonymised_at=now,
        )
        # Staff write the reasons of their cancellations: the one free text of the audit trail.
        RegistrationLog.objects.filter(
            registration_id__in=ids, detail__startswith=REASON_PREFIX
        ).update(detail=f"{REASON_PREFIX}(erased)")
        RegistrationLog.objects.bulk_create(
            RegistrationLog(registration_id=pk, at=now, action="anonymised") for pk in ids
        )
        WaitlistEntry.objects.filter(ticket_type__event__ends_at__lte=cutoff).delete()
    return len(ids)
