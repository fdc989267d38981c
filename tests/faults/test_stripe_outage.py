"""Stripe unreachable or slow: the reader is told so, nothing is half-recorded, webhooks catch up.

The gateway runs its production path here (a secret key, the SDK's own RequestsClient with its
retries and error mapping); only the network under it is replaced: a stand-in for
``requests.Session`` that forwards to the offline simulator, or fails the way a dead or slow
Stripe does (connection refused, read timeout).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import stripe
from django.urls import reverse
from requests.structures import CaseInsensitiveDict

from stripe_simulator import Simulator
from subscriptions import stripe_gateway
from subscriptions.models import StripeCustomer, Subscription

UNAVAILABLE_FR = (
    "Le paiement est momentanément indisponible. Merci de réessayer dans quelques minutes."
)


class _Response:
    def __init__(self, body: str, status: int, headers: dict[str, str]) -> None:
        self.content = body.encode("utf-8")
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers)


class FlakyNetwork:
    """The wire between the SDK and Stripe: healthy, or failing for the paths given."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.failure: Exception | None = None
        self.failing_paths: tuple[str, ...] = ("/v1/",)
        self.attempts: list[tuple[str, str, Any]] = []

    def fail(self, error: Exception, *paths: str) -> None:
        self.failure = error
        self.failing_paths = paths or ("/v1/",)

    def heal(self) -> None:
        self.failure = None

    def request(
        self, method: str, url: str, headers: Any = None, data: Any = None, **kwargs: Any
    ) -> _Response:
        path = url.split("://", 1)[-1].partition("/")[2]
        self.attempts.append((method.upper(), "/" + path, kwargs.get("timeout")))
        if self.failure is not None and any(("/" + path).startswith(p) for p in self.failing_paths):
            raise self.failure
        return _Response(*self.simulator.handle(method, url, data))


@pytest.fixture
def network(
    stripe_sim: Simulator, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FlakyNetwork]:
    settings.STRIPE_SIMULATOR = False
    settings.STRIPE_SECRET_KEY = "sk_test_faults"
    settings.STRIPE_TIMEOUT_SECONDS = 4
    wire = FlakyNetwork(stripe_sim)
    monkeypatch.setattr(requests, "Session", lambda: wire)
    # The SDK's retries wait between attempts; the waits are not what is under test.
    monkeypatch.setattr(stripe.HTTPClient, "_sleep_time_seconds", lambda self, *args: 0)
    stripe_gateway.install_simulator(stripe_sim)  # forget any client built without a key
    yield wire
    stripe_gateway.install_simulator(stripe_sim)


def _messages(response: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_unreachable_stripe_sends_the_reader_back_with_a_clear_message_and_records_nothing(
    network, reader_client, reader, weekly_plan
):
    network.fail(requests.exceptions.ConnectionError("Connection refused"))

    response = reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("billing:plans"), 302)]
    assert _messages(response) == [("error", UNAVAILABLE_FR)]
    assert not StripeCustomer.objects.filter(user=reader).exists()
    assert not Subscription.objects.filter(user=reader).exists()
    assert network.simulator.requests() == []


def test_every_attempt_is_bounded_by_the_configured_timeout_and_retried_a_fixed_number_of_times(
    network, reader_client, weekly_plan, settings
):
    network.fail(requests.exceptions.ReadTimeout("Read timed out"))

    reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    # One call to Stripe, tried twice (max_network_retries=1), each capped: the reader's
    # wait is bounded by the setting rather than by the SDK's 80-second default.
    assert network.attempts == [("POST", "/v1/customers", settings.STRIPE_TIMEOUT_SECONDS)] * 2


def test_timeout_after_the_customer_was_created_keeps_only_the_customer_stripe_has(
    network, reader_client, reader, weekly_plan
):
    network.fail(requests.exceptions.ReadTimeout("Read timed out"), "/v1/subscriptions")

    response = reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]), follow=True)

    assert _messages(response) == [("error", UNAVAILABLE_FR)]
    customer_id = StripeCustomer.objects.get(user=reader).customer_id
    assert network.simulator.get("customers", customer_id)["id"] == customer_id
    assert not Subscription.objects.filter(user=reader).exists()
    assert network.simulator.requests("POST", "/v1/checkout/sessions") == []


def test_checkout_works_again_once_stripe_is_back_without_a_second_customer(
    network, reader_client, reader, weekly_plan
):
    network.fail(requests.exceptions.ReadTimeout("Read timed out"), "/v1/checkout")
    reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))
    network.heal()

    response = reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    assert response.status_code == 302
    (session,) = network.simulator.requests("POST", "/v1/checkout/sessions")
    assert len(network.simulator.requests("POST", "/v1/customers")) == 1
    assert session["params"]["customer"] == StripeCustomer.objects.get(user=reader).customer_id


def test_webhook_delivered_after_the_outage_records_the_paid_subscription(
    network, reader_client, reader, weekly_plan
):
    network.simulator.auto_deliver = False
    started = reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))
    session_id = started["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert session_id.startswith("cs_")
    network.simulator.complete_checkout(session_id)  # paid on Stripe's page
    network.fail(requests.exceptions.ConnectionError("Connection refused"))

    returned = reader_client.get(reverse("billing:checkout_return"), {"session_id": session_id})

    assert returned.status_code == 200
    assert not Subscription.objects.filter(user=reader).exists()

    network.heal()
    results = network.simulator.deliver_pending()

    assert results and all(status == 200 for _, status in results)
    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "active"
    assert subscription.plan == weekly_plan
