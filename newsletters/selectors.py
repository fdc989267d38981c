from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from newsletters.models import Campaign, Delivery, Newsletter


def newsletters_subscribed(*, email: str) -> list[Newsletter]:
    return list(
        Newsletter.objects.filter(
            public=True, subscribers__email=email.lower(), subscribers__status="subscribed"
        )
    )


RATE_WINDOW = timedelta(seconds=60)


def campaign_progress(campaign: Campaign) -> dict[str, Any]:
    """Counts per delivery status and the send rate over the last minute (two queries)."""
    counts = dict(
        Delivery.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    now = timezone.now()
    recent = Delivery.objects.filter(campaign=campaign, sent_at__gte=now - RATE_WINDOW).count()
    progress: dict[str, Any] = {status: counts.get(status, 0) for status in Delivery.Status.values}
    progress.update(
        {
            "campaign": campaign.pk,
            "status": campaign.status,
            "status_display": str(campaign.get_status_display()),
            "total": sum(counts.values()),
            "rate_per_s": round(recent / RATE_WINDOW.total_seconds(), 2),
        }
    )
    return progress
