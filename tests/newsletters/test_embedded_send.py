"""Sending a campaign in the embedded mode (`make run`): tasks in-process, no beat, any database.

Marked ``embedded``: these run under SQLite too (``DATABASE_URL=sqlite:///… pytest -m embedded``),
where the delivery rows' INSERT … SELECT once failed and was logged as a broker outage.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import DatabaseError
from django.urls import reverse

from newsletters import delivery
from newsletters.models import Campaign, Delivery, Suppression
from tests.newsletters.helpers import subscribe

pytestmark = [pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign(digest):  # type: ignore[no-untyped-def]
    for n in range(3):
        subscribe(digest, f"r{n}@example.com")
    subscribe(digest, "bounced@example.com")
    Suppression.objects.create(email="bounced@example.com", reason=Suppression.Reason.HARD_BOUNCE)
    return Campaign.objects.create(newsletter=digest, subject="Hebdo n°12", body="<p>Édito.</p>")


def _send_now(client, campaign):  # type: ignore[no-untyped-def]
    response = client.post(reverse("admin:newsletters_campaign_send_now", args=[campaign.pk]))
    assert response.status_code == 302
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_send_now_sends_the_campaign_in_process(marketer_client, campaign, caplog):  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        notices = _send_now(marketer_client, campaign)

    campaign.refresh_from_db()
    assert notices == [("success", "L’envoi a commencé.")]
    assert campaign.status == Campaign.Status.SENT
    assert campaign.total_recipients == 4
    assert sorted(m.to[0] for m in mail.outbox) == [f"r{n}@example.com" for n in range(3)]
    assert dict(Delivery.objects.values_list("email", "status")) == {
        "r0@example.com": "sent",
        "r1@example.com": "sent",
        "r2@example.com": "sent",
        "bounced@example.com": "suppressed",
    }
    # Nothing alarming in the terminal of `make run` either (kombu once warned of no broker host).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_failed_start_is_shown_to_the_marketer_and_undone(
    marketer_client, campaign, caplog, monkeypatch
):  # type: ignore[no-untyped-def]
    def broken(campaign):  # type: ignore[no-untyped-def]
        raise DatabaseError('near "(": syntax error')

    monkeypatch.setattr(delivery, "deliveries_create", broken)
    with caplog.at_level(logging.WARNING):
        notices = _send_now(marketer_client, campaign)

    campaign.refresh_from_db()
    assert notices == [("error", 'L’envoi n’a pas pu commencer\u00a0: near "(": syntax error')]
    # Nothing half-done: the campaign is a draft again, with no delivery rows and no email.
    assert (campaign.status, campaign.scheduled_at) == (Campaign.Status.DRAFT, None)
    assert not Delivery.objects.exists() and not mail.outbox
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged and all("broker" not in line.lower() for line in logged)
    assert any("syntax error" in line for line in logged)
