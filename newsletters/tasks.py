"""Celery tasks: ids in, a service call, nothing else. Each is safe to run twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from kombu.exceptions import OperationalError as BrokerUnavailable

from newsletters import delivery, services

logger = logging.getLogger(__name__)


@shared_task(name="newsletters.campaign_start", ignore_result=True)
def campaign_start_task(campaign_id: int) -> None:
    """Create a campaign's delivery rows and fan out its chunk tasks."""
    services.campaign_start(campaign_id=campaign_id)


@shared_task(name="newsletters.send_chunk", ignore_result=True, acks_late=True)
def campaign_send_chunk(campaign_id: int) -> dict[str, int | str]:
    """Claim and send one chunk of a campaign's due deliveries."""
    result = delivery.chunk_send(campaign_id)
    if result.deferred:
        # Transient failures wait their backoff in the database; look again once it has passed.
        try:
            campaign_send_chunk.apply_async(
                (campaign_id,), countdown=settings.NEWSLETTER_RETRY_BACKOFF_S
            )
        except BrokerUnavailable:
            # The rows wait in the database all the same: the sweeper enqueues them later.
            logger.warning("broker unavailable: campaign %s left to the sweeper", campaign_id)
    if result.claimed and not result.stopped:
        delivery.campaign_finish_if_done(campaign_id)
    return result.__dict__


@shared_task(name="newsletters.start_due_campaigns", ignore_result=True)
def campaigns_start_due_task() -> None:
    """Start scheduled campaigns whose time has come (Celery beat)."""
    services.campaigns_start_due()


@shared_task(name="newsletters.sweep", ignore_result=True)
def deliveries_sweep_task(lease_seconds: int | None = None) -> dict[str, int]:
    """Return rows of dead workers to the queue, then restart stalled campaigns (Celery beat)."""
    lease = timedelta(seconds=lease_seconds or settings.NEWSLETTER_LEASE_SECONDS)
    outcome = delivery.deliveries_sweep(lease=lease)
    outcome["enqueued"] = services.campaign_resume_stalled(
        chunk_cap=settings.NEWSLETTER_SWEEP_MAX_TASKS
    )
    return outcome
