from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:  # the names appear only inside the string generics below
    from newsletters.models import Campaign, Delivery, Subscriber, Suppression  # noqa: F401


class SubscriberQuerySet(models.QuerySet["Subscriber"]):
    def confirmed(self) -> SubscriberQuerySet:
        return self.filter(status="subscribed")


class SuppressionQuerySet(models.QuerySet["Suppression"]):
    def blocking(self, newsletter_id: int) -> SuppressionQuerySet:
        """Suppressions that stop this newsletter: its own and the global ones."""
        return self.filter(Q(newsletter__isnull=True) | Q(newsletter_id=newsletter_id))


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def due(self, now: datetime) -> CampaignQuerySet:
        return self.filter(status="scheduled", scheduled_at__lte=now)


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def claimable(self, campaign_id: int, now: datetime) -> DeliveryQuerySet:
        return self.filter(campaign_id=campaign_id, status="queued").filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )

    def pending(self) -> DeliveryQuerySet:
        return self.filter(status__in=("queued", "sending"))
