"""Registration workflows: seats, holds, payments, waiting lists, check-in and clean-up.

Seat safety rests on one lock design. Every write that takes or frees a seat first locks the
capacity rows it depends on with SELECT … FOR UPDATE, always in the same order — the session row
(when the ticket is for a session), then the ticket type row(s) in primary-key order — and counts
the seats already taken (confirmed registrations, live payment holds, live waiting-list offers)
inside that lock. Two writers on the same capacity therefore run one after the other, and the
fixed order means they cannot deadlock.

A package along those workflows: common (what they share), registration, waitlist, checkin,
notices. Callers import from ``events.services``, which re-exports their public names.
"""

from __future__ import annotations

from events.services.checkin import (
    CheckIn,
    CheckInResult,
    registration_check_in,
)
from events.services.common import (
    REASON_PREFIX,
    Outcome,
    RegistrationRefused,
    RegistrationResult,
    hold_duration,
    log_change,
    offer_duration,
    reader_is_subscriber,
    seats_free,
)
from events.services.notices import (
    ANONYMOUS,
    event_cancel,
    event_change_notify,
    event_message_send,
    registrations_anonymise,
    reminders_send,
)
from events.services.registration import (
    holds_expire,
    payment_start,
    refund_due,
    registration_approve,
    registration_cancel,
    registration_checkout_expired,
    registration_create,
    registration_payment_confirmed,
    registration_refund,
    registration_refund_recorded,
    registration_reject,
)
from events.services.waitlist import (
    waitlist_join,
    waitlist_leave,
    waitlist_offers_expire,
    waitlist_offers_make,
)

__all__ = [
    "ANONYMOUS",
    "REASON_PREFIX",
    "CheckIn",
    "CheckInResult",
    "Outcome",
    "RegistrationRefused",
    "RegistrationResult",
    "event_cancel",
    "event_change_notify",
    "event_message_send",
    "hold_duration",
    "holds_expire",
    "log_change",
    "offer_duration",
    "payment_start",
    "reader_is_subscriber",
    "refund_due",
    "registration_approve",
    "registration_cancel",
    "registration_check_in",
    "registration_checkout_expired",
    "registration_create",
    "registration_payment_confirmed",
    "registration_refund",
    "registration_refund_recorded",
    "registration_reject",
    "registrations_anonymise",
    "reminders_send",
    "seats_free",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_offers_expire",
    "waitlist_offers_make",
]
