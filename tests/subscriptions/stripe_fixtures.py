"""Stripe test plumbing: the offline simulator behind the real gateway, and signed payloads."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from django.test import Client
from django.urls import reverse

from stripe_simulator import MemoryStore, Simulator, shape
from stripe_simulator.delivery import TestClientDeliverer
from stripe_simulator.site import build_simulator
from subscriptions import stripe_gateway

WEBHOOK_SECRET = "whsec_tests_only"


@pytest.fixture
def stripe_sim(settings: Any, db: Any) -> Iterator[Simulator]:
    """A fresh in-memory Stripe whose events reach the webhook view through the test client."""
    settings.STRIPE_SIMULATOR = True
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_SIMULATOR_STATE_FILE = None
    simulator = build_simulator(store=MemoryStore(), deliverer=TestClientDeliverer(Client()))
    stripe_gateway.install_simulator(simulator)
    yield simulator
    stripe_gateway.reset()


def signed_post(client: Client, event: dict[str, Any], *, timestamp: int | None = None,
                secret: str = WEBHOOK_SECRET) -> Any:  # fmt: skip
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp or int(time.time())
    )
    return client.post(
        reverse("stripe_webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def event_for(type_: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """An inbound event shaped like Stripe's fixture, carrying ``obj``."""
    event = shape("event")
    event.update(
        id=event_id or f"evt_test_{type_.replace('.', '_')}_{obj['id']}",
        type=type_,
        created=int(time.time()),
        data={"object": obj},
    )
    return event


def subscribe(client: Client, simulator: Simulator, plan: Any, card: str = "visa") -> Any:
    """The reader's journey: plans → Checkout (simulated page) → back on the site."""
    response = client.post(reverse("billing:checkout", args=[plan.pk]))
    assert response.status_code == 302, response
    checkout_url = response["Location"]
    return client.post(checkout_url, {"card": card})
