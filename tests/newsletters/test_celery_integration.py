"""Real parts: Celery worker processes on Redis, PostgreSQL, an aiosmtpd server.

The test database is shared with the workers (committed rows: transaction=True); the SMTP server
records every message, and duplicates are recognised by their Message-ID.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from newsletters import delivery, services
from newsletters.models import Campaign, CampaignArticle, Delivery, Newsletter, Subscriber
from newsletters.tasks import campaign_send_chunk
from tests.factories import SubscriptionFactory, UserFactory
from tests.newsletters.helpers import PREMIUM_MARKER
from tests.real_services import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _newsletter_with(count: int) -> Newsletter:
    newsletter = Newsletter.objects.create(name="La lettre hebdo", slug="hebdo")
    Subscriber.objects.bulk_create(
        Subscriber(newsletter=newsletter, email=f"lecteur{n:05d}@example.com", status="subscribed")
        for n in range(count)
    )
    return newsletter


def _send(newsletter: Newsletter, subject: str = "La semaine de la relation client") -> Campaign:
    campaign = Campaign.objects.create(
        newsletter=newsletter,
        subject=subject,
        preheader="ECTFF, Dreamforce",
        body="<p>Bonjour.</p>",
    )
    with transaction.atomic():
        services.campaign_send_now(campaign=campaign)
    return campaign


def _message_ids(handler) -> Counter[str]:  # type: ignore[no-untyped-def]
    with handler.lock:
        return Counter(str(message["Message-ID"]).strip() for message in handler.messages)


def _all_done(campaign: Campaign) -> bool:
    return not Delivery.objects.filter(campaign=campaign).pending().exists()


def test_workers_send_compliant_messages_and_one_click_unsubscribe_round_trips(
    celery_on_redis, premium_article
):  # type: ignore[no-untyped-def]
    workers, handler = celery_on_redis
    newsletter = _newsletter_with(30)
    paying = UserFactory(email="abonne@example.com")
    SubscriptionFactory(user=paying, status="active")
    Subscriber.objects.create(
        newsletter=newsletter, email=paying.email, user=paying, status="subscribed"
    )
    workers.start()
    campaign = Campaign.objects.create(
        newsletter=newsletter, subject="Dreamforce 2025", body="<p>Bonjour.</p>"
    )
    CampaignArticle.objects.create(campaign=campaign, article=premium_article)
    with transaction.atomic():
        services.campaign_send_now(campaign=campaign)

    wait_for(lambda: handler.count() >= 31)
    wait_for(lambda: Campaign.objects.get(pk=campaign.pk).status == "sent")
    assert sorted(_message_ids(handler).values()) == [1] * 31

    by_recipient = {str(m["To"]): m for m in handler.messages}
    for address, message in by_recipient.items():
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "Bonjour." in text and "<p>" not in text
        assert len(html.encode()) < 100 * 1024
        assert message["List-Id"] == "La lettre hebdo <hebdo.testserver>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].strip().startswith("<https://testserver/")
        assert str(message["Message-ID"]).startswith(f"<newsletter.{campaign.pk}.")
        assert (PREMIUM_MARKER in html) == (address == paying.email)
        assert (PREMIUM_MARKER in text) == (address == paying.email)

    target = by_recipient["lecteur00007@example.com"]
    url = urlsplit(target["List-Unsubscribe"].strip().strip("<>"))
    assert url.path in target.get_body(preferencelist=("html",)).get_content()
    client = Client()
    assert client.get(url.path).status_code == 200  # GET only asks
    assert Subscriber.objects.get(email="lecteur00007@example.com").status == "subscribed"
    response = client.post(url.path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscriber.objects.get(email="lecteur00007@example.com").status == "unsubscribed"

    later = _send(newsletter, subject="La semaine suivante")
    wait_for(lambda: Campaign.objects.get(pk=later.pk).status == "sent")
    later_recipients = {
        str(m["To"]) for m in handler.messages if str(m["Subject"]) == "La semaine suivante"
    }
    assert len(later_recipients) == 30
    assert "lecteur00007@example.com" not in later_recipients
    assert not Delivery.objects.filter(campaign=later, email="lecteur00007@example.com").exists()


def test_killed_worker_loses_nobody_and_duplicates_at_most_one_per_open_connection(
    celery_on_redis,
):  # type: ignore[no-untyped-def]
    workers, handler = celery_on_redis
    newsletter = _newsletter_with(2000)
    first = workers.start(concurrency=2)
    campaign = _send(newsletter)

    wait_for(lambda: handler.count() >= 400, interval=0.01)
    workers.kill(first)  # SIGKILL to the whole process group: the pool dies with its parent
    killed_at = timezone.now()
    abandoned = Delivery.objects.filter(campaign=campaign, status="sending").count()
    assert 0 < handler.count() < 2000

    workers.start(concurrency=2)
    # The sweeper, with a lease that ends at the kill: only the dead worker's rows come back.
    outcome = delivery.deliveries_sweep(lease=timezone.now() - killed_at)
    assert outcome["returned"] == abandoned
    services.campaign_resume_stalled(chunk_cap=8)

    wait_for(lambda: _all_done(campaign), timeout=300)
    ids = _message_ids(handler)
    assert len(ids) == 2000  # every recipient got the newsletter
    duplicates = sum(n - 1 for n in ids.values())
    assert duplicates <= 2  # two connections were open at the kill
    assert Delivery.objects.filter(campaign=campaign, status="sent").count() == 2000


def test_warm_shutdown_pause_resume_and_redelivered_tasks_send_nothing_twice(celery_on_redis):  # type: ignore[no-untyped-def]
    workers, handler = celery_on_redis
    newsletter = _newsletter_with(800)
    first = workers.start(concurrency=2)
    campaign = _send(newsletter)

    wait_for(lambda: handler.count() >= 100, interval=0.01)
    workers.terminate(first)  # SIGTERM: warm shutdown, running chunks finish
    assert not Delivery.objects.filter(campaign=campaign, status="sending").exists()
    services.campaign_pause(campaign=campaign)
    paused_count = handler.count()

    workers.start(concurrency=2)
    for _ in range(5):  # tasks delivered again, as after a broker redelivery
        campaign_send_chunk.delay(campaign.pk)
    wait_for(lambda: not Delivery.objects.filter(campaign=campaign, status="sending").exists())
    assert handler.count() == paused_count  # paused: nothing more goes out

    services.campaign_resume(campaign=campaign)
    wait_for(lambda: Campaign.objects.get(pk=campaign.pk).status == "sent", timeout=300)
    ids = _message_ids(handler)
    assert len(ids) == 800
    assert max(ids.values()) == 1
