"""How the simulator hands signed events to Kiosque's webhook endpoint."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from django.urls import reverse


def _webhook_path() -> str:
    return reverse("stripe_webhook")


class TestClientDeliverer:
    """Tests: through Django's test client, as a real POST with the raw body and header."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        response = self.client.post(
            _webhook_path(),
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
        )
        return int(response.status_code)


class InProcessDeliverer:
    """`make run`: call the webhook view directly, so one runserver thread is enough."""

    def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        from django.test import RequestFactory

        from subscriptions.webhooks import stripe_webhook

        request = RequestFactory().post(
            _webhook_path(),
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
        )
        return int(stripe_webhook(request).status_code)


class HTTPDeliverer:
    """POST to the site like Stripe does (needs a server with more than one worker)."""

    def __init__(self, base_url: str, timeout: float = 10) -> None:
        self.url = base_url.rstrip("/") + _webhook_path()
        self.timeout = timeout

    def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(  # noqa: S310 - the URL is our own SITE_URL
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except urllib.error.URLError:
            return 599
