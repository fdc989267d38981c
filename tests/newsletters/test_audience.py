"""Segments, consent and double opt-in, suppressions, anymail tracking, import and export."""

from __future__ import annotations

import io

import pytest
import time_machine
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from newsletters import services, tokens
from newsletters.delivery import audience
from newsletters.models import ConsentRecord, Segment, Subscriber, Suppression
from newsletters.segments import register_segment, rule_q, validate_rule
from tests.factories import (
    CampaignFactory,
    OrganisationFactory,
    SubscriberFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.newsletters.helpers import subscribe

pytestmark = pytest.mark.django_db


def _emails(newsletter, rule) -> set[str]:  # type: ignore[no-untyped-def]
    segment, _created = Segment.objects.get_or_create(name=str(rule), defaults={"rule": rule})
    campaign = CampaignFactory(newsletter=newsletter, segment=segment, subject="s")
    return set(audience(campaign).values_list("email", flat=True))


@pytest.fixture
def population(digest, events_letter, subscriber, lapsed_subscriber, reader, company_member):  # type: ignore[no-untyped-def]
    for user in (subscriber, lapsed_subscriber, reader, company_member):
        subscribe(digest, user.email, user=user)
    subscribe(digest, "anonyme@example.com")
    subscribe(events_letter, reader.email, user=reader)
    subscribe(events_letter, "anonyme@example.com")
    SubscriberFactory(newsletter=digest, email="attente@example.com", status="pending")
    return digest


def test_segments_select_paying_registered_lapsed_and_licence_members(
    population, subscriber, lapsed_subscriber, reader, company_member
):  # type: ignore[no-untyped-def]
    assert _emails(population, {"segment": "paying"}) == {subscriber.email}
    assert _emails(population, {"segment": "lapsed"}) == {lapsed_subscriber.email}
    assert _emails(population, {"segment": "registered_non_payers"}) == {
        lapsed_subscriber.email, reader.email, company_member.email,
    }  # fmt: skip
    assert _emails(population, {"segment": "licence_members"}) == {company_member.email}


def test_segments_combine_with_all_any_not(population, subscriber, reader):  # type: ignore[no-untyped-def]
    events = {"segment": "newsletter", "slug": "evenements"}
    assert _emails(population, events) == {reader.email, "anonyme@example.com"}
    assert _emails(
        population, {"all": [events, {"not": {"segment": "registered_non_payers"}}]}
    ) == {"anonyme@example.com"}
    assert _emails(population, {"any": [events, {"segment": "paying"}]}) == {
        reader.email, "anonyme@example.com", subscriber.email,
    }  # fmt: skip


def test_pending_and_unsubscribed_addresses_are_never_in_an_audience(population):  # type: ignore[no-untyped-def]
    services.unsubscribe(email="anonyme@example.com", newsletter=population, source="admin")
    assert "attente@example.com" not in _emails(population, {"not": {"segment": "paying"}})
    assert "anonyme@example.com" not in _emails(population, {"not": {"segment": "paying"}})


def test_a_segment_registered_later_joins_the_registry(population, reader):  # type: ignore[no-untyped-def]
    from django.db.models import Q

    register_segment("test_only_readers", "Test", lambda rule: Q(email=rule["email"]), ("email",))
    assert _emails(population, {"segment": "test_only_readers", "email": reader.email}) == {
        reader.email
    }


@pytest.mark.parametrize(
    "rule",
    [
        {"segment": "nope"},
        {"all": []},
        {"segment": "newsletter"},
        {"or": [{"segment": "paying"}]},
        [],
    ],
)
def test_invalid_rules_are_refused_with_a_clear_error(rule) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        validate_rule(rule)
    with pytest.raises(ValidationError):
        Segment(name="x", rule=rule).full_clean()


def test_empty_rule_means_everyone() -> None:
    assert rule_q(None).children == []


# --- consent and double opt-in -----------------------------------------------------------------


def _confirm_url() -> str:
    body = mail.outbox[-1].body
    return next(line for line in body.splitlines() if "/confirmer/" in line).strip()


def test_double_opt_in_records_consent_and_confirms_by_post(
    client, digest, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("newsletters:subscribe"),
            {"email": "Nouvelle@Example.com", "newsletters": [digest.pk], "consent": "on"},
            REMOTE_ADDR="203.0.113.9",
        )
    assert response.status_code == 200
    subscriber = Subscriber.objects.get(email="nouvelle@example.com")
    assert subscriber.status == "pending"
    requested = ConsentRecord.objects.get(action="requested")
    assert (requested.source, requested.ip_address) == ("site_form", "203.0.113.9")
    assert requested.wording_version == services.CONSENT_WORDING_VERSION and requested.wording

    path = _confirm_url().removeprefix("http://testserver")
    assert client.get(path).status_code == 200  # the link only shows a button
    assert Subscriber.objects.get(pk=subscriber.pk).status == "pending"
    assert client.post(path, REMOTE_ADDR="203.0.113.10").status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "subscribed" and subscriber.confirmed_at
    confirmed = ConsentRecord.objects.get(action="confirmed")
    assert (confirmed.source, confirmed.ip_address) == ("email_link", "203.0.113.10")


def test_subscribe_form_without_consent_is_refused(client, digest):  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("newsletters:subscribe"), {"email": "a@example.com", "newsletters": [digest.pk]}
    )
    assert response.status_code == 400
    assert not Subscriber.objects.exists() and not mail.outbox


def test_confirmation_link_expires(client, digest, settings):  # type: ignore[no-untyped-def]
    settings.NEWSLETTER_CONFIRMATION_MAX_AGE_DAYS = 7
    with time_machine.travel("2025-10-01 09:00 +0200", tick=False):
        token = tokens.confirmation_token("a@example.com", [digest.pk])
    Subscriber.objects.create(newsletter=digest, email="a@example.com")
    with time_machine.travel("2025-10-09 09:00 +0200", tick=False):
        response = client.post(reverse("newsletters:confirm", args=[token]))
    assert response.status_code == 400
    assert "expired" in response.content.decode() or response.context["expired"]
    assert Subscriber.objects.get().status == "pending"


def test_tampered_confirmation_link_is_refused(client, digest):  # type: ignore[no-untyped-def]
    token = tokens.confirmation_token("a@example.com", [digest.pk])
    response = client.post(reverse("newsletters:confirm", args=[token[:-2] + "xx"]))
    assert response.status_code == 400 and response.context["expired"] is False


def test_account_page_subscribes_a_verified_reader_at_once(reader_client, reader, digest):  # type: ignore[no-untyped-def]
    from tests.factories import verified_email

    verified_email(reader)
    response = reader_client.post(reverse("newsletters:preferences"), {"newsletters": [digest.pk]})
    assert response.status_code == 302
    assert Subscriber.objects.get(email=reader.email).status == "subscribed"
    assert ConsentRecord.objects.filter(source="account", action="confirmed").exists()
    reader_client.post(reverse("newsletters:preferences"), {})
    assert Subscriber.objects.get(email=reader.email).status == "unsubscribed"


def test_signup_form_offers_newsletters_with_double_opt_in(
    client, digest, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "inscrite@example.com",
                "password1": "Motdepasse-42!",
                "password2": "Motdepasse-42!",
                "newsletters": [digest.pk],
            },
        )
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(email="inscrite@example.com")
    assert subscriber.status == "pending" and subscriber.user is not None
    assert ConsentRecord.objects.get().source == "signup"
    assert any("/confirmer/" in m.body for m in mail.outbox)


# --- suppression, unsubscribe, tracking ---------------------------------------------------------


def test_unsubscribe_get_asks_and_post_without_csrf_unsubscribes(digest):  # type: ignore[no-untyped-def]
    from django.test import Client

    subscribe(digest, "lea@example.com")
    client = Client(enforce_csrf_checks=True)
    url = reverse(
        "newsletter_unsubscribe", args=[tokens.unsubscribe_token(digest.pk, "lea@example.com")]
    )
    assert client.get(url).status_code == 200
    assert Subscriber.objects.get().status == "subscribed"
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Subscriber.objects.get().status == "unsubscribed"
    assert Suppression.objects.get().reason == "unsubscribed"
    assert ConsentRecord.objects.get().source == "one_click"


def test_forged_unsubscribe_token_is_refused(client, digest):  # type: ignore[no-untyped-def]
    subscribe(digest, "lea@example.com")
    forged = tokens.unsubscribe_token(digest.pk, "lea@example.com")[:-3] + "abc"
    assert client.post(reverse("newsletter_unsubscribe", args=[forged])).status_code == 400
    assert Subscriber.objects.get().status == "subscribed"


@pytest.mark.parametrize(
    ("event_type", "reason"), [("bounced", "hard_bounce"), ("complained", "complaint")]
)
def test_anymail_bounces_and_complaints_join_the_suppression_list(event_type, reason, digest):  # type: ignore[no-untyped-def]
    event = AnymailTrackingEvent(
        event_type=event_type, recipient="Rebond@Example.com", description="550 user unknown"
    )
    tracking.send(sender=object, event=event, esp_name="TestESP")
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason, suppression.newsletter) == (
        "rebond@example.com",
        reason,
        None,
    )


def test_other_anymail_events_change_nothing(digest):  # type: ignore[no-untyped-def]
    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(event_type="opened", recipient="a@example.com"),
        esp_name="TestESP",
    )
    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(event_type="deferred", recipient="a@example.com"),
        esp_name="TestESP",
    )
    assert not Suppression.objects.exists()


def test_anymail_tracking_webhook_url_names_the_provider() -> None:
    # Mounted for the configured provider only: tests/security/test_webhooks.py.
    url = reverse("newsletter_tracking_webhook", kwargs={"esp": "mailgun"})
    assert url == "/newsletters/anymail/mailgun/tracking/"


# --- import and export -------------------------------------------------------------------------


def test_import_never_resubscribes_the_unsubscribed_or_suppressed(digest):  # type: ignore[no-untyped-def]
    subscribe(digest, "deja@example.com")
    services.unsubscribe(email="parti@example.com", newsletter=digest, source="email_link")
    services.suppression_add(email="rebond@example.com", reason="hard_bounce")
    data = (
        "email,consent_at,consent_ip\n"
        "nouveau@example.com,2025-06-12T10:00:00+02:00,198.51.100.4\n"
        "DEJA@example.com,,\nparti@example.com,,\nrebond@example.com,,\n"
    )

    report = services.subscribers_import(
        newsletter=digest, data=data, source_note="New Biz Forum 2025"
    )

    assert (report.created, report.already, report.kept_unsubscribed, report.suppressed) == (
        1,
        1,
        1,
        1,
    )
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {
        "deja@example.com": "subscribed",
        "parti@example.com": "unsubscribed",
        "nouveau@example.com": "subscribed",
    }
    record = ConsentRecord.objects.get(action="imported")
    assert (record.ip_address, record.wording, record.created_at.year) == (
        "198.51.100.4",
        "New Biz Forum 2025",
        2025,
    )


def test_import_with_a_bad_line_imports_nothing_and_names_the_line(digest):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        services.subscribers_import(
            newsletter=digest, data="email\nbon@example.com\npas-une-adresse\n"
        )
    assert "3" in refused.value.messages[0]
    assert not Subscriber.objects.exists()


def test_export_keeps_status_consent_and_suppression(digest):  # type: ignore[no-untyped-def]
    services.subscribers_import(
        newsletter=digest, data="email\nlea@example.com\nmax@example.com\n", source_note="salon"
    )
    services.unsubscribe(email="max@example.com", newsletter=digest, source="email_link")
    out = io.StringIO()
    services.subscribers_export(Subscriber.objects.all(), out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("email,newsletter,status")
    assert (
        lines[1].startswith("lea@example.com,hebdo,subscribed,")
        and ",no,imported,import," in lines[1]
    )
    assert (
        lines[2].startswith("max@example.com,hebdo,unsubscribed,")
        and ",yes,unsubscribed,email_link," in lines[2]
    )
    # Round trip: importing the export never resubscribes max.
    services.subscribers_import(newsletter=digest, data=out.getvalue(), source_note="export")
    assert Subscriber.objects.get(email="max@example.com").status == "unsubscribed"


def test_paying_segment_follows_subscription_status(digest):  # type: ignore[no-untyped-def]
    user = UserFactory(email="payant@example.com")
    subscription = SubscriptionFactory(user=user, status="active")
    subscribe(digest, user.email, user=user)
    assert _emails(digest, {"segment": "paying"}) == {user.email}
    subscription.status = "canceled"
    subscription.save()
    assert _emails(digest, {"segment": "lapsed"}) == {user.email}
    assert _emails(digest, {"segment": "paying"}) == set()


def test_licence_members_include_subdomains_but_not_lookalikes(digest):  # type: ignore[no-untyped-def]
    OrganisationFactory(domains=["acme.fr"])
    subscribe(digest, "a@fr.acme.fr")
    subscribe(digest, "b@notacme.fr")
    subscribe(digest, "c@acme.fr")
    assert _emails(digest, {"segment": "licence_members"}) == {"a@fr.acme.fr", "c@acme.fr"}
