"""Marketing in the admin: preview, test send, send now, schedule, pause/resume/cancel, progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from newsletters import services
from newsletters.delivery import deliveries_create
from newsletters.models import Campaign, CampaignArticle, Delivery, Subscriber
from tests.factories import CampaignFactory
from tests.newsletters.helpers import PREMIUM_MARKER, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(digest):  # type: ignore[no-untyped-def]
    for n in range(3):
        subscribe(digest, f"r{n}@example.com")
    return CampaignFactory(newsletter=digest, subject="Hebdo n°12", body="<p>Édito.</p>")


def _url(name: str, campaign: Campaign) -> str:
    return reverse(f"admin:newsletters_campaign_{name}", args=[campaign.pk])


@pytest.mark.parametrize(
    "action", ["pause", "resume", "cancel", "send_now", "test_send", "schedule"]
)
def test_state_changing_admin_views_refuse_get(marketer_client, campaign, action):  # type: ignore[no-untyped-def]
    assert marketer_client.get(_url(action, campaign)).status_code == 405
    campaign.refresh_from_db()
    assert campaign.status == "draft" and not mail.outbox


def test_pause_resume_cancel_by_post(marketer_client, campaign, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    deliveries_create(campaign)
    marketer_client.post(_url("pause", campaign))
    campaign.refresh_from_db()
    assert campaign.status == "paused"
    with django_capture_on_commit_callbacks(execute=True):
        marketer_client.post(_url("resume", campaign))
    campaign.refresh_from_db()
    assert campaign.status == "sent" and len(mail.outbox) == 3

    other = CampaignFactory(newsletter=campaign.newsletter, subject="Autre", status="sending")
    deliveries_create(other)
    marketer_client.post(_url("cancel", other))
    other.refresh_from_db()
    assert other.status == "cancelled"
    assert set(Delivery.objects.filter(campaign=other).values_list("status", flat=True)) == {
        "cancelled"
    }


def test_list_actions_pause_selected_campaigns(marketer_client, campaign):  # type: ignore[no-untyped-def]
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    marketer_client.post(
        reverse("admin:newsletters_campaign_changelist"),
        {"action": "pause_selected", "_selected_action": [campaign.pk]},
    )
    campaign.refresh_from_db()
    assert campaign.status == "paused"


def test_send_now_sends_after_commit(marketer_client, campaign, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = marketer_client.post(_url("send_now", campaign))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "r0@example.com",
        "r1@example.com",
        "r2@example.com",
    ]


def test_schedule_then_beat_starts_due_campaigns(
    marketer_client, campaign, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    at = timezone.localtime() + timedelta(hours=2)
    marketer_client.post(
        _url("schedule", campaign), {"scheduled_at": at.strftime("%Y-%m-%dT%H:%M")}
    )
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    assert services.campaigns_start_due() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaigns_start_due(now=timezone.now() + timedelta(hours=3)) == [
            campaign.pk
        ]
    assert len(mail.outbox) == 3


def test_progress_endpoint_reports_counts_and_rate(marketer_client, campaign):  # type: ignore[no-untyped-def]
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    deliveries_create(campaign)
    Delivery.objects.filter(email="r0@example.com").update(status="sent", sent_at=timezone.now())
    Delivery.objects.filter(email="r1@example.com").update(status="failed")
    data = marketer_client.get(_url("progress", campaign)).json()
    assert (data["queued"], data["sent"], data["failed"], data["suppressed"], data["total"]) == (
        1,
        1,
        1,
        0,
        3,
    )
    assert data["status"] == "sending" and data["rate_per_s"] > 0


def test_progress_needs_staff_permission(client, reader, campaign):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    response = client.get(_url("progress", campaign))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_change_page_shows_controls_and_polling_script(marketer_client, campaign):  # type: ignore[no-untyped-def]
    page = marketer_client.get(
        reverse("admin:newsletters_campaign_change", args=[campaign.pk])
    ).content.decode()
    assert "js/newsletters-progress.js" in page
    assert _url("progress", campaign) in page and _url("send_now", campaign) in page


def test_preview_shows_both_versions_of_a_premium_article(
    marketer_client, campaign, premium_article
):  # type: ignore[no-untyped-def]
    CampaignArticle.objects.create(campaign=campaign, article=premium_article)
    full = marketer_client.get(_url("preview", campaign)).content.decode()
    teaser = marketer_client.get(_url("preview", campaign) + "?version=teaser").content.decode()
    text = marketer_client.get(_url("preview", campaign) + "?format=text").content.decode()
    assert PREMIUM_MARKER in full and PREMIUM_MARKER not in teaser
    assert "Édito." in text and "<p>" not in text


def test_test_send_goes_to_the_marketer_only(marketer_client, marketer, campaign):  # type: ignore[no-untyped-def]
    marketer_client.post(_url("test_send", campaign))
    assert [m.to for m in mail.outbox] == [[marketer.email]]
    assert mail.outbox[0].subject.endswith("Hebdo n°12")
    assert not Delivery.objects.exists()


def test_csv_import_in_the_admin_reports_errors_and_imports_nothing(marketer_client, digest):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile(
        "liste.csv", b"email\nbon@example.com\nmauvais\n", content_type="text/csv"
    )
    response = marketer_client.post(
        reverse("admin:newsletters_subscriber_import"),
        {"newsletter": digest.pk, "file": upload, "source_note": "salon"},
    )
    assert response.status_code == 200 and "mauvais" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_csv_export_action(marketer_client, digest):  # type: ignore[no-untyped-def]
    subscriber = subscribe(digest, "lea@example.com")
    response = marketer_client.post(
        reverse("admin:newsletters_subscriber_changelist"),
        {"action": "export_csv", "_selected_action": [subscriber.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "lea@example.com,hebdo,subscribed" in response.content.decode()


def test_send_now_with_the_broker_down_succeeds_and_beat_starts_the_campaign(
    marketer_client, campaign, django_capture_on_commit_callbacks, monkeypatch
):  # type: ignore[no-untyped-def]
    from kombu.exceptions import OperationalError

    from newsletters import tasks

    def broker_down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.campaign_start_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = marketer_client.post(_url("send_now", campaign))
    campaign.refresh_from_db()

    assert response.status_code == 302
    assert campaign.status == "scheduled"  # owed to beat, not lost
    assert mail.outbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaigns_start_due() == [campaign.pk]
    assert len(mail.outbox) == 3
