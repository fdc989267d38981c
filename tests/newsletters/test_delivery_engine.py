"""The delivery engine in-process (eager tasks, locmem email): rows, claims, retries, sweeps."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from newsletters import delivery, ratelimit, services
from newsletters.models import Campaign, CampaignArticle, Delivery, Suppression
from tests.factories import CampaignFactory
from tests.newsletters.helpers import PREMIUM_MARKER, subscribe

pytestmark = pytest.mark.django_db


def make_campaign(newsletter: Any, **extra: Any) -> Campaign:
    fields = {
        "subject": "La semaine de la relation client",
        "preheader": "Dreamforce, ECTFF",
        "body": "<p>Bonjour à tous.</p>",
    }
    fields.update(extra)
    return CampaignFactory(newsletter=newsletter, **fields)  # type: ignore[no-any-return]


def parsed(message: Any) -> Any:
    return message_from_bytes(message.message().as_bytes(), policy=policy.default)


def test_campaign_creates_one_delivery_per_subscriber_and_marks_suppressed_ones(
    digest, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    for n in range(5):
        subscribe(digest, f"lecteur{n}@example.com")
    Suppression.objects.create(email="lecteur3@example.com", reason=Suppression.Reason.HARD_BOUNCE)
    campaign = make_campaign(digest)

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_start(campaign_id=campaign.pk)
    # A second start (a duplicate task) adds nobody and sends nothing more.
    services.campaign_start(campaign_id=campaign.pk)

    statuses = dict(Delivery.objects.values_list("email", "status"))
    assert statuses["lecteur3@example.com"] == "suppressed"
    assert sorted(m.to[0] for m in mail.outbox) == [f"lecteur{n}@example.com" for n in (0, 1, 2, 4)]
    campaign.refresh_from_db()
    assert campaign.status == "sent"
    assert campaign.total_recipients == 5


def test_messages_are_compliant_multipart_with_unsubscribe_headers(
    digest, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    subscribe(digest, "lea@example.com")
    campaign = make_campaign(digest)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_start(campaign_id=campaign.pk)

    message = parsed(mail.outbox[0])
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Bonjour à tous." in text and "<" not in text.split("Bonjour")[0]
    row = Delivery.objects.get()
    assert message["Message-ID"] == f"<newsletter.{campaign.pk}.{row.pk}@testserver>"
    assert message["List-Id"] == "La lettre hebdo <hebdo.testserver>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith("http://testserver/newsletters/desabonnement/")
    assert url in text and url.replace("&", "&amp;") in html
    assert 'style="' in html and "<style" not in html  # CSS inlined
    assert len(html.encode()) < 100 * 1024


def test_subscriber_gets_full_premium_article_and_others_the_teaser(
    digest, premium_article, subscriber, reader, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    subscribe(digest, subscriber.email, user=subscriber)
    subscribe(digest, reader.email, user=reader)
    subscribe(digest, "sans-compte@example.com")
    campaign = make_campaign(digest)
    CampaignArticle.objects.create(campaign=campaign, article=premium_article)

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_start(campaign_id=campaign.pk)

    bodies = {m.to[0]: (m.body, m.alternatives[0][0]) for m in mail.outbox}
    assert PREMIUM_MARKER in bodies[subscriber.email][0]
    assert PREMIUM_MARKER in bodies[subscriber.email][1]
    for email in (reader.email, "sans-compte@example.com"):
        text, html = bodies[email]
        assert PREMIUM_MARKER not in text and PREMIUM_MARKER not in html
        assert "Le teaser ouvre l'analyse." in text
        assert premium_article.get_absolute_url() in html


class FlakyBackend:
    """An email backend whose behaviour per address the test decides."""

    failures: dict[str, Exception] = {}
    sent: list[str] = []

    def __init__(self, **kwargs: Any) -> None:
        pass

    def open(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        for message in messages:
            error = self.failures.get(message.to[0])
            if error is not None:
                raise error
            self.sent.append(message.to[0])
        return len(messages)


@pytest.fixture
def flaky_backend(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.newsletters.test_delivery_engine.FlakyBackend"
    FlakyBackend.failures = {}
    FlakyBackend.sent = []
    return FlakyBackend


def test_permanent_failures_fail_and_transient_ones_are_retried_with_backoff(
    digest, flaky_backend, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    for email in ("ok@example.com", "gone@example.com", "busy@example.com"):
        subscribe(digest, email)
    flaky_backend.failures = {
        "gone@example.com": smtplib.SMTPRecipientsRefused(
            {"gone@example.com": (550, b"no such user")}
        ),
        "busy@example.com": smtplib.SMTPResponseException(451, b"try again later"),
    }
    campaign = make_campaign(digest)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_start(campaign_id=campaign.pk)

    rows = {row.email: row for row in Delivery.objects.all()}
    assert rows["ok@example.com"].status == "sent"
    assert rows["gone@example.com"].status == "failed"
    busy = rows["busy@example.com"]
    assert busy.status == "queued" and busy.next_attempt_at > timezone.now()
    assert "451" in busy.last_error

    # Nothing is due before the backoff has passed.
    assert delivery.chunk_send(campaign.pk).claimed == 0
    flaky_backend.failures.pop("busy@example.com")
    Delivery.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
    assert delivery.chunk_send(campaign.pk).sent == 1
    assert flaky_backend.sent.count("busy@example.com") == 1


def test_a_row_failing_three_times_is_quarantined(digest, flaky_backend, settings):  # type: ignore[no-untyped-def]
    subscribe(digest, "busy@example.com")
    flaky_backend.failures = {"busy@example.com": ConnectionResetError("reset by peer")}
    campaign = make_campaign(digest, status=Campaign.Status.SENDING)
    delivery.deliveries_create(campaign)
    for _attempt in range(3):
        Delivery.objects.update(next_attempt_at=None)
        delivery.chunk_send(campaign.pk)
    row = Delivery.objects.get()
    assert row.status == "quarantined"
    assert row.attempts == 3


def test_sweeper_returns_rows_of_dead_workers_and_quarantines_after_three_claims(digest):  # type: ignore[no-untyped-def]
    subscribe(digest, "a@example.com")
    subscribe(digest, "b@example.com")
    campaign = make_campaign(digest, status=Campaign.Status.SENDING)
    delivery.deliveries_create(campaign)
    long_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(email="a@example.com").update(
        status="sending", claimed_at=long_ago, claimed_by="dead:1", attempts=1
    )
    Delivery.objects.filter(email="b@example.com").update(
        status="sending", claimed_at=long_ago, claimed_by="dead:2", attempts=3
    )

    outcome = delivery.deliveries_sweep(lease=timedelta(minutes=10))

    assert outcome == {"returned": 1, "quarantined": 1}
    assert dict(Delivery.objects.values_list("email", "status")) == {
        "a@example.com": "queued",
        "b@example.com": "quarantined",
    }
    # A row claimed within the lease is left to its worker.
    Delivery.objects.filter(email="a@example.com").update(
        status="sending", claimed_at=timezone.now()
    )
    assert delivery.deliveries_sweep(lease=timedelta(minutes=10)) == {
        "returned": 0,
        "quarantined": 0,
    }


def test_claims_skip_rows_another_worker_holds(digest):  # type: ignore[no-untyped-def]
    for n in range(10):
        subscribe(digest, f"r{n}@example.com")
    campaign = make_campaign(digest, status=Campaign.Status.SENDING)
    delivery.deliveries_create(campaign)
    first = delivery.claim(campaign.pk, worker="w1", size=4, now=timezone.now())
    second = delivery.claim(campaign.pk, worker="w2", size=100, now=timezone.now())
    assert len(first) == 4 and len(second) == 6
    assert not {row[0] for row in first} & {row[0] for row in second}
    assert Delivery.objects.filter(status="sending", claimed_by="w1").count() == 4


def test_unsubscribe_takes_effect_for_rows_already_queued(
    digest, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    subscribe(digest, "stay@example.com")
    subscribe(digest, "leave@example.com")
    campaign = make_campaign(digest, status=Campaign.Status.SENDING)
    delivery.deliveries_create(campaign)
    services.unsubscribe(email="leave@example.com", newsletter=digest, source="email_link")

    delivery.chunk_send(campaign.pk)

    assert [m.to[0] for m in mail.outbox] == ["stay@example.com"]
    assert Delivery.objects.get(email="leave@example.com").status == "suppressed"


def test_paused_campaign_releases_its_claimed_rows_untouched(digest):  # type: ignore[no-untyped-def]
    subscribe(digest, "a@example.com")
    campaign = make_campaign(digest, status=Campaign.Status.PAUSED)
    delivery.deliveries_create(campaign)
    assert delivery.chunk_send(campaign.pk).stopped == "not sending"
    assert Delivery.objects.get().status == "queued" and not mail.outbox


def test_rate_limit_grants_no_more_than_the_limit_per_second(redis_db, settings):  # type: ignore[no-untyped-def]
    settings.NEWSLETTER_RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:6379/5"
    settings.NEWSLETTER_RATE_LIMIT_KEY = "test-provider"
    now = 1_700_000_000.2
    grants = [ratelimit.try_acquire(4, limit=10, now=now) for _ in range(4)]
    assert grants == [4, 4, 2, 0]
    assert ratelimit.try_acquire(4, limit=10, now=now + 1) == 4  # a new second, a new allowance


def test_rate_limit_is_shared_between_processes_through_redis(redis_db, settings):  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    settings.NEWSLETTER_RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:6379/5"
    settings.NEWSLETTER_RATE_LIMIT_KEY = "shared"
    now = 1_700_000_100.5
    assert ratelimit.try_acquire(7, limit=10, now=now) == 7
    script = (
        "import redis;from newsletters.ratelimit import _ACQUIRE as s;"
        "r=redis.Redis.from_url('redis://127.0.0.1:6379/5');"
        f"print(r.eval(s,1,'kiosque:newsletters:rate:shared:{int(now)}',5,10,2000))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert other.stdout.strip() == "3"


def test_message_over_100_kb_is_refused_before_sending(digest):  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    campaign = make_campaign(digest, body="<p>" + "relation client " * 8000 + "</p>")
    with pytest.raises(ValidationError) as refused:
        services.campaign_send_now(campaign=campaign)
    assert refused.value.error_list[0].code == "too_large"
    assert not Delivery.objects.exists()
