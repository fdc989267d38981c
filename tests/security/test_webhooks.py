"""Webhooks trust only what they can authenticate, and answer junk with a 4xx, never a 500.

anymail's tracking webhook exists only for the configured provider and only with a secret; a
forged bounce must never suppress an address. Stripe's webhook is verified by its signature and
is absent while there is no secret to verify it with.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from newsletters.models import Suppression
from newsletters.webhooks import TRACKING_VIEW_CLASSES

pytestmark = pytest.mark.django_db

SECRET = "kiosque:webhook-secret-7Q2"
POSTMARK_URL = "/newsletters/anymail/postmark/tracking/"
FORGED_BOUNCE = {
    "RecordType": "Bounce",
    "Type": "HardBounce",
    "TypeCode": 1,
    "ID": 4242,
    "Email": "victime@example.com",
    "BouncedAt": "2025-03-01T10:00:00Z",
    "Description": "The server was unable to deliver your message.",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
}
JUNK_BODIES = {
    "empty-list": b"[]",
    "empty": b"",
    "not-json": b"not json at all",
    "invalid-utf8": b'{"RecordType": "Bounce", "Email": "\xff\xfe"}',
    "deeply-nested": b"[" * 100_000 + b"]" * 100_000,
    "wrong-types": b'{"RecordType": ["Bounce"], "Type": {"x": 1}, "Email": 42}',
    "string": b'"Bounce"',
    "null": b"null",
}


def basic_auth(credentials: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def postmark(settings: Any) -> None:
    """Production-like: DEBUG off, Postmark configured with its webhook secret."""
    settings.DEBUG = False
    settings.ANYMAIL_ESP = "postmark"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "POSTMARK_SERVER_TOKEN": "server-token"}


def post_json(client: Client, url: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **extra)


def test_the_webhook_url_is_the_documented_one() -> None:
    url = reverse("newsletter_tracking_webhook", kwargs={"esp": "postmark"})
    assert url == POSTMARK_URL


def test_without_a_provider_a_forged_bounce_is_a_404(client: Client, settings: Any) -> None:
    settings.DEBUG = False
    assert settings.ANYMAIL_ESP == ""
    response = post_json(client, POSTMARK_URL, FORGED_BOUNCE)
    assert response.status_code == 404
    assert not Suppression.objects.exists()


def test_a_provider_without_a_secret_has_no_webhook(client: Client, settings: Any) -> None:
    # The documented default: ANYMAIL_WEBHOOK_SECRET empty (in DEBUG, where settings allow it).
    settings.ANYMAIL_ESP = "postmark"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token"}
    for credentials in ({}, basic_auth(SECRET)):
        response = post_json(client, POSTMARK_URL, FORGED_BOUNCE, **credentials)
        assert response.status_code == 404
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("credentials", [None, "kiosque:wrong", "", "\x00:\x00"])
def test_a_forged_bounce_without_the_secret_suppresses_nobody(
    client: Client, postmark: None, credentials: str | None
) -> None:
    extra = basic_auth(credentials) if credentials is not None else {}
    response = post_json(client, POSTMARK_URL, FORGED_BOUNCE, **extra)
    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_the_providers_bounce_with_the_secret_suppresses_the_address(
    client: Client, postmark: None
) -> None:
    response = post_json(client, POSTMARK_URL, FORGED_BOUNCE, **basic_auth(SECRET))
    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason) == ("victime@example.com", "hard_bounce")


@pytest.mark.parametrize("esp", ["mailgun", "sendgrid", "brevo", "pigeon", "POSTMARK", "x" * 300])
def test_any_other_provider_answers_404(client: Client, postmark: None, esp: str) -> None:
    response = post_json(
        client, f"/newsletters/anymail/{esp}/tracking/", FORGED_BOUNCE, **basic_auth(SECRET)
    )
    assert response.status_code == 404
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("body", JUNK_BODIES.values(), ids=JUNK_BODIES.keys())
def test_junk_bodies_with_the_secret_are_a_400(client: Client, postmark: None, body: bytes) -> None:
    response = post_json(client, POSTMARK_URL, body, **basic_auth(SECRET))
    assert response.status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("body", JUNK_BODIES.values(), ids=JUNK_BODIES.keys())
def test_junk_bodies_without_the_secret_are_a_400(
    client: Client, postmark: None, body: bytes
) -> None:
    response = post_json(client, POSTMARK_URL, body)
    assert response.status_code == 400


# anymail warns about the providers it no longer supports (SendGrid) or renamed (SendinBlue).
@pytest.mark.filterwarnings(
    "ignore::anymail.exceptions.AnymailDeprecationWarning",
    "ignore::anymail.exceptions.AnymailNotSupportedWarning",
)
@pytest.mark.parametrize("esp", sorted(TRACKING_VIEW_CLASSES))
@pytest.mark.parametrize("body", JUNK_BODIES.values(), ids=JUNK_BODIES.keys())
def test_no_provider_answers_junk_with_a_500(
    client: Client, settings: Any, esp: str, body: bytes
) -> None:
    settings.DEBUG = False
    settings.ANYMAIL_ESP = esp
    # Whatever each provider's view needs to be built; a view that still cannot be built is a 404.
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": SECRET,
        f"{esp.upper()}_WEBHOOK_SIGNING_KEY": "signing-key",
        f"{esp.upper()}_WEBHOOK_KEY": "webhook-key",
        f"{esp.upper()}_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        f"{esp.upper()}_API_KEY": "api-key",
        f"{esp.upper()}_SECRET_KEY": "secret-key",
    }
    url = f"/newsletters/anymail/{esp}/tracking/"
    for content_type in ("application/json", "application/x-www-form-urlencoded"):
        response = client.post(url, data=body, content_type=content_type, **basic_auth(SECRET))
        assert response.status_code < 500, (esp, content_type, response.status_code)
    assert not Suppression.objects.exists()


# --- Stripe ------------------------------------------------------------------------------------


def test_stripe_webhook_without_a_secret_is_a_404(client: Client, settings: Any) -> None:
    settings.DEBUG = False
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = client.post(
        reverse("stripe_webhook"),
        data=b'{"id": "evt_1", "type": "customer.subscription.deleted"}',
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=forged",
    )
    assert response.status_code == 404
