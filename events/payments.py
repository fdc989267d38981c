"""The payment seam: events reach Stripe only through ``subscriptions.stripe_gateway``.

Paid tickets use a payment-mode Checkout Session tagged ``metadata["purpose"]``; the Stripe
webhook view (subscriptions.webhooks) re-reads the completed session and hands it to
``on_checkout_completed`` here, registered in ``EventsConfig.ready``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from events.models import Registration

logger = logging.getLogger(__name__)

CHECKOUT_PURPOSE = "event_registration"
# Stripe refuses a Checkout Session that expires in less than 30 minutes.
STRIPE_MIN_CHECKOUT_LIFETIME = timedelta(minutes=31)


class PaymentUnavailable(Exception):
    """The gateway refused or failed; the caller keeps its state and may retry."""


@dataclass(frozen=True)
class Checkout:
    session_id: str
    url: str


def checkout_session_create(
    *, registration: Registration, success_url: str, cancel_url: str
) -> Checkout:
    """A payment-mode Checkout Session for one held registration."""
    from subscriptions import stripe_gateway

    event = registration.event
    # A payment that lands after the hold lapsed is still handled (seat if free, else refund).
    expires_at = max(
        registration.hold_expires_at or timezone.now(),
        timezone.now() + STRIPE_MIN_CHECKOUT_LIFETIME,
    )
    metadata = {"purpose": CHECKOUT_PURPOSE, "registration": str(registration.pk)}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": registration.currency,
                    "unit_amount": registration.price_cents,
                    "product_data": {"name": f"{event} — {registration.ticket_type.name}"},
                },
            }
        ],
        "customer_email": registration.email,
        "client_reference_id": f"registration-{registration.pk}",
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url or success_url,
        "expires_at": int(expires_at.timestamp()),
        "locale": "fr",
    }
    try:
        session = stripe_gateway.checkout_session_create(params)
    except stripe_gateway.GatewayError as exc:
        raise PaymentUnavailable(str(exc)) from exc
    return Checkout(session_id=session["id"], url=session["url"])


def refund_create(*, registration: Registration, amount_cents: int) -> str:
    """Refund ``amount_cents`` of the registration's payment; returns the refund id."""
    from subscriptions import stripe_gateway

    if not registration.stripe_payment_intent_id:
        raise PaymentUnavailable("No payment to refund.")
    try:
        refund = stripe_gateway.refund_create(
            payment_intent=registration.stripe_payment_intent_id,
            amount=amount_cents,
            reason="requested_by_customer",
            metadata={"purpose": CHECKOUT_PURPOSE, "registration": str(registration.pk)},
            # The same refund asked twice (a retried task, a double click) is made once.
            idempotency_key=f"events-refund-{registration.pk}-{amount_cents}",
        )
    except stripe_gateway.GatewayError as exc:
        raise PaymentUnavailable(str(exc)) from exc
    return str(refund["id"])


def on_checkout_completed(session: dict[str, Any]) -> None:
    """Webhook handler: the session was re-read from Stripe by the webhook view."""
    from events import services

    if session.get("payment_status") != "paid":
        logger.info("Checkout %s completed unpaid; waiting", session.get("id"))
        return
    payment_intent = session.get("payment_intent") or ""
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id", "")
    services.registration_payment_confirmed(
        checkout_session_id=session["id"],
        payment_intent_id=payment_intent,
        amount_total=session.get("amount_total"),
    )
