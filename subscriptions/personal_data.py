"""What subscriptions holds about a reader, for "download my data" and account deletion.

Registered in accounts.personal_data by SubscriptionsConfig.ready().
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from accounts.personal_data import ErasureRefused, PersonalData, when
from subscriptions import stripe_gateway
from subscriptions.models import Invoice, Subscription
from subscriptions.querysets import POSSIBLY_ENTITLED_STATUSES
from subscriptions.sync import subscription_sync

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def _subscriptions(user: User) -> dict[str, Any]:
    return {
        "subscriptions": [
            {
                "plan": s.plan.name if s.plan else None,
                "status": s.status,
                "current_period_end": when(s.current_period_end),
                "cancel_at_period_end": s.cancel_at_period_end,
                "started": when(s.created_at),
            }
            for s in Subscription.objects.filter(user=user).select_related("plan")
        ],
    }


def _invoices(user: User) -> list[dict[str, Any]]:
    return [
        {
            "number": i.number,
            "status": i.status,
            "amount_due_cents": i.amount_due,
            "amount_paid_cents": i.amount_paid,
            "currency": i.currency,
            "issued_at": when(i.stripe_created),
            "invoice_page": i.hosted_invoice_url,
        }
        for i in Invoice.objects.filter(user=user)
    ]


def _subscriptions_stop(user: User) -> None:
    """Ask Stripe to end every live subscription at the end of the period already paid for."""
    live = Subscription.objects.filter(
        user=user,
        status__in=POSSIBLY_ENTITLED_STATUSES,
        stripe_subscription_id__isnull=False,
    ).exclude(cancel_at_period_end=True)
    for subscription in live:
        stripe_id = subscription.stripe_subscription_id
        if stripe_id is None:  # Excluded by the query already; this narrows the type.
            continue
        try:
            updated = stripe_gateway.subscription_update(stripe_id, {"cancel_at_period_end": True})
        except stripe_gateway.GatewayError as exc:
            logger.warning("account deletion: Stripe refused to stop %s", subscription.pk)
            raise ErasureRefused from exc
        subscription_sync(stripe_subscription=updated)


_ACCOUNTING = "accounting and tax law: it now points at an anonymous account"

PERSONAL_DATA = PersonalData(
    app_label="subscriptions",
    exporters={
        "subscriptions": _subscriptions,
        "invoices": _invoices,
    },
    before_erasure=_subscriptions_stop,
    keeps={
        "subscriptions.Invoice.user": _ACCOUNTING,
        "subscriptions.Subscription.user": _ACCOUNTING,
        "subscriptions.StripeCustomer.user": _ACCOUNTING,
        "subscriptions.BillingEmail.user": (
            "which billing email went out when, so that a redelivered Stripe event does not "
            "send it twice; it holds no address"
        ),
    },
)
