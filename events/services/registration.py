"""Registering, paying, refunding, cancelling, approving and releasing holds."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import (
    DiscountCode,
    Event,
    Registration,
    Session,
    TicketType,
    WaitlistEntry,
)
from events.services.common import (
    REASON_PREFIX,
    Outcome,
    RegistrationRefused,
    RegistrationResult,
    _discount_resolve,
    _has_seat,
    _lock_capacity,
    _owe,
    _publish,
    _window_check,
    hold_duration,
    log_change,
    offer_duration,
    reader_is_subscriber,
)
from events.services.waitlist import _offer_freed_seats

logger = logging.getLogger(__name__)


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
    subscriber, discount = _registration_allowed(
        event=event,
        ticket_type=ticket_type,
        user=user,
        consent=consent,
        discount_code=discount_code,
        waitlist_entry=waitlist_entry,
        now=now,
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


def _registration_allowed(
    *,
    event: Event,
    ticket_type: TicketType,
    user: Any,
    consent: bool,
    discount_code: str,
    waitlist_entry: WaitlistEntry | None,
    now: datetime,
) -> tuple[bool, DiscountCode | None]:
    """The checks that need no lock (consent, window, code, invitation): (subscriber, code)."""
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
    return subscriber, discount


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
    _duplicate_check(ticket_type=ticket_type, session=session, email=email)
    _seat_take(ticket_type=ticket_type, session=session, waitlist_entry=waitlist_entry, now=now)
    if discount is not None and discount.max_uses is not None:
        discount = _discount_lock(discount)
    price, status = _price_and_status(
        ticket_type=ticket_type,
        discount=discount,
        subscriber=subscriber,
        waitlist_entry=waitlist_entry,
    )
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


def _duplicate_check(*, ticket_type: TicketType, session: Session | None, email: str) -> None:
    if Registration.objects.active().filter(ticket_type=ticket_type, email=email).exists() or (
        session is not None
        and Registration.objects.active().filter(ticket_type__session=session, email=email).exists()
    ):
        raise RegistrationRefused(
            "duplicate", _("You are already registered with this email address.")
        )


def _seat_take(
    *,
    ticket_type: TicketType,
    session: Session | None,
    waitlist_entry: WaitlistEntry | None,
    now: datetime,
) -> None:
    """A free seat, or the one a live waiting-list offer holds (accepted here); under the lock."""
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


def _discount_lock(discount: DiscountCode) -> DiscountCode:
    """The code locked and read again, refused once its uses are spent."""
    discount = DiscountCode.objects.select_for_update().get(pk=discount.pk)
    used = Registration.objects.active().filter(discount_code=discount).count()
    # Read again under the lock: the limit may have been lifted meanwhile.
    if discount.max_uses is not None and used >= discount.max_uses:
        raise RegistrationRefused("bad_code", _("This code has been used up."))
    return discount


def _price_and_status(
    *,
    ticket_type: TicketType,
    discount: DiscountCode | None,
    subscriber: bool,
    waitlist_entry: WaitlistEntry | None,
) -> tuple[int, str]:
    price = ticket_type.price_for(subscriber=subscriber)
    if discount is not None and discount.percent_off:
        price = price * (100 - discount.percent_off) // 100
    if ticket_type.access == TicketType.Access.APPROVAL and waitlist_entry is None:
        return price, Registration.Status.PENDING_APPROVAL
    if price == 0:
        return price, Registration.Status.CONFIRMED
    return price, Registration.Status.PENDING_PAYMENT


def _owe_confirmation(registration: Registration) -> None:
    _owe("registration_confirmation_send", registration_id=registration.pk)


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
        if _paid_seat_available(registration, ticket_type, session, now):
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


def _paid_seat_available(
    registration: Registration, ticket_type: TicketType, session: Session | None, now: datetime
) -> bool:
    """The paid registration's live hold, or a free seat when its hold lapsed; under the lock."""
    return registration.holds_seat(now) or (
        registration.status in (Registration.Status.PENDING_PAYMENT, Registration.Status.EXPIRED)
        and _has_seat(ticket_type, session, now)
    )


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
        _cancellation_check(registration, by_organiser=by_organiser, reason=reason, now=now)
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


def _cancellation_check(
    registration: Registration, *, by_organiser: bool, reason: str, now: datetime
) -> None:
    """The attendee may cancel until check-in and the start; organisers after, with a reason."""
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
