"""Reusable filters over plans and subscriptions, and the statuses they are defined by."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:  # the names appear only inside the string generics below
    from subscriptions.models import Plan, Subscription  # noqa: F401

# Stripe statuses that open the paywall without question: the one definition of "subscribed".
SUBSCRIBED_STATUSES = ("active", "trialing")
# Stripe statuses that may still open the paywall; past_due only within the grace period, which
# Subscription.grants_access decides. A reader in one of them needs no second checkout.
POSSIBLY_ENTITLED_STATUSES = (*SUBSCRIBED_STATUSES, "past_due")


class PlanQuerySet(models.QuerySet["Plan"]):
    def active(self) -> PlanQuerySet:
        return self.filter(active=True)


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def active(self) -> SubscriptionQuerySet:
        """Active or trialing: paying (or about to) without question."""
        return self.filter(status__in=SUBSCRIBED_STATUSES)

    def possibly_entitled(self) -> SubscriptionQuerySet:
        return self.filter(status__in=POSSIBLY_ENTITLED_STATUSES)
