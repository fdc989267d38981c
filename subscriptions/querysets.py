from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:  # the names appear only inside the string generics below
    from subscriptions.models import (  # noqa: F401
        ComplimentaryAccess,
        Organisation,
        OrganisationDomain,
        Plan,
        Subscription,
    )

# Stripe statuses that open the paywall without question.
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


class ComplimentaryAccessQuerySet(models.QuerySet["ComplimentaryAccess"]):
    def current(self, now: datetime) -> ComplimentaryAccessQuerySet:
        return self.filter(starts_at__lte=now, ends_at__gt=now)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def valid_on(self, day: date) -> OrganisationQuerySet:
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class OrganisationDomainQuerySet(models.QuerySet["OrganisationDomain"]):
    def matching_emails(self, emails: list[str]) -> OrganisationDomainQuerySet:
        """Domains owning any of ``emails``, including parent domains (acme.fr owns fr.acme.fr)."""
        candidates: set[str] = set()
        for email in emails:
            domain = email.rpartition("@")[2].strip().lower().rstrip(".")
            labels = domain.split(".")
            candidates.update(".".join(labels[i:]) for i in range(len(labels) - 1))
        return self.filter(domain__in=sorted(candidates))
