"""Stripe webhooks: verify, record the event id, dispatch by type, answer fast.

Handlers never trust the payload's copy of an object: they re-read it from Stripe and upsert,
so events may arrive late, twice or out of order and still leave the same state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from subscriptions import emails, stripe_gateway, sync
from subscriptions.models import StripeEvent

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
# One-time payments (event tickets) register here by the checkout session's metadata["purpose"].
PAYMENT_CHECKOUT_HANDLERS: dict[str, Handler] = {}


def _object(event: dict[str, Any]) -> dict[str, Any]:
    return event["data"]["object"]


def on_checkout_completed(event: dict[str, Any]) -> None:
    session = stripe_gateway.checkout_session_retrieve(_object(event)["id"])
    if session.get("mode") == "subscription" and session.get("subscription"):
        sync.subscription_sync_by_id(subscription_id=session["subscription"])
    elif session.get("mode") == "payment":
        purpose = (session.get("metadata") or {}).get("purpose", "")
        handler = PAYMENT_CHECKOUT_HANDLERS.get(purpose)
        if handler is not None:
            handler(session)


def on_subscription_changed(event: dict[str, Any]) -> None:
    sync.subscription_sync_by_id(subscription_id=_object(event)["id"])


def _invoice_and_subscription(
    event: dict[str, Any],
) -> tuple[dict[str, Any], sync.SyncResult | None]:
    # The invoice and its subscription re-read together, in one request.
    invoice = stripe_gateway.invoice_retrieve(
        _object(event)["id"], expand=[sync.INVOICE_SUBSCRIPTION_EXPAND]
    )
    subscription = sync.invoice_subscription(invoice)
    # The subscription first, so that the invoice can point to its local row.
    result: sync.SyncResult | None = None
    if isinstance(subscription, dict):
        result = sync.subscription_sync(stripe_subscription=subscription)
    elif subscription:
        result = sync.subscription_sync_by_id(subscription_id=subscription)
    sync.invoice_sync(stripe_invoice=invoice, subscription=result.subscription if result else None)
    return invoice, result


def on_invoice_paid(event: dict[str, Any]) -> None:
    _invoice_and_subscription(event)


def on_invoice_payment_failed(event: dict[str, Any]) -> None:
    invoice, result = _invoice_and_subscription(event)
    if result is not None and invoice.get("status") == "open":
        emails.queue(
            kind="payment_failed",
            user=result.subscription.user,
            key=f"payment_failed:{invoice['id']}",
            subscription=result.subscription,
            extra={"hosted_invoice_url": invoice.get("hosted_invoice_url") or ""},
        )


def on_invoice_action_required(event: dict[str, Any]) -> None:
    invoice, result = _invoice_and_subscription(event)
    if result is not None and invoice.get("status") == "open":
        emails.queue(
            kind="action_required",
            user=result.subscription.user,
            key=f"action_required:{invoice['id']}",
            subscription=result.subscription,
            extra={"hosted_invoice_url": invoice.get("hosted_invoice_url") or ""},
        )


def on_trial_will_end(event: dict[str, Any]) -> None:
    result = sync.subscription_sync_by_id(subscription_id=_object(event)["id"])
    if result is not None and result.subscription.status == "trialing":
        trial_end = result.subscription.trial_end
        emails.queue(
            kind="trial_ending",
            user=result.subscription.user,
            key=f"trial_ending:{result.subscription.stripe_subscription_id}:{trial_end}",
            subscription=result.subscription,
        )


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": on_checkout_completed,
    "customer.subscription.created": on_subscription_changed,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_changed,
    "customer.subscription.paused": on_subscription_changed,
    "customer.subscription.resumed": on_subscription_changed,
    "customer.subscription.trial_will_end": on_trial_will_end,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
    "invoice.payment_action_required": on_invoice_action_required,
}


def _record(event: dict[str, Any]) -> bool:
    """Insert the event id; False when it is already there (a duplicate delivery).

    One statement instead of a savepoint around an insert that may fail: ON CONFLICT waits
    for a concurrent delivery of the same id and skips the row once that one commits.
    """
    created = event.get("created")
    table = StripeEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(table)} "  # noqa: S608 - our own table name
            "(event_id, type, stripe_created, processed_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (event_id) DO NOTHING RETURNING id",
            [
                event["id"],
                event.get("type", ""),
                datetime.fromtimestamp(int(created), tz=UTC) if created else None,
                timezone.now(),
            ],
        )
        return cursor.fetchone() is not None


def process_event(event: dict[str, Any]) -> bool:
    """Run the handler for ``event`` once; False when the event id was already processed."""
    with transaction.atomic():
        # Recorded in the transaction that processes it: a handler that fails rolls the record
        # back with everything else, and Stripe's retry runs it again.
        if not _record(event):
            return False
        handler = HANDLERS.get(event.get("type", ""))
        if handler is not None:
            with sync.sync_cause(type=event.get("type", ""), stripe_event_id=event["id"]):
                handler(event)
    return True


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not stripe_gateway.webhook_configured():
        # Nothing can be verified, so nothing is accepted; the settings refuse this in production.
        logger.error("A Stripe webhook arrived but STRIPE_WEBHOOK_SECRET is not set")
        return HttpResponseNotFound(
            "Stripe webhooks are not configured.", content_type="text/plain"
        )
    try:
        event = stripe_gateway.construct_event(
            request.body, request.headers.get("Stripe-Signature")
        )
    except stripe_gateway.WebhookSignatureError as error:
        logger.warning("Rejected a Stripe webhook: %s", error)
        return HttpResponseBadRequest("Invalid signature.", content_type="text/plain")
    try:
        processed = process_event(event)
    except Exception:
        # 500 makes Stripe retry; the event is not recorded, so the retry is processed.
        logger.exception("Stripe event %s (%s) failed", event.get("id"), event.get("type"))
        return HttpResponse("Processing failed.", status=500, content_type="text/plain")
    return HttpResponse(
        "Processed." if processed else "Already processed.", content_type="text/plain"
    )
