"""The webhook's short path: no browser middleware, one Stripe read and few queries per event."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import stripe
from django.conf import settings
from django.db import connection
from django.urls import reverse

from subscriptions import stripe_gateway, sync
from subscriptions.models import Invoice, StripeEvent, Subscription
from tests.subscriptions.stripe_fixtures import WEBHOOK_SECRET, event_for, signed_post, subscribe


@pytest.fixture
def pending(stripe_sim, reader_client, weekly_plan) -> dict[str, dict[str, Any]]:
    """A reader who paid on Stripe while every webhook is still undelivered, by type."""
    stripe_sim.auto_deliver = False
    subscribe(reader_client, stripe_sim, weekly_plan)
    return {event["type"]: event for event in stripe_sim.pending_events()}


def _again(event: dict[str, Any]) -> dict[str, Any]:
    """The same change announced by a new event (Stripe sends several for one object)."""
    return {**event, "id": f"{event['id']}_again"}


def _xmin(invoice: Invoice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin FROM subscriptions_invoice WHERE id = %s", [invoice.pk])
        return str(cursor.fetchone()[0])


def test_webhook_answer_has_request_id_and_length_but_no_browser_headers(client, stripe_sim):
    response = signed_post(client, event_for("customer.tax_id.created", {"id": "txi_1"}))

    assert response.status_code == 200
    assert response["X-Request-ID"]
    assert response["Content-Length"] == str(len(response.content))
    assert response["X-Content-Type-Options"] == "nosniff"
    # No session, language, CSRF or CSP work was done for Stripe.
    assert not response.cookies
    assert not response.has_header("Vary")
    assert not response.has_header("Content-Security-Policy")


def test_pages_keep_the_browser_middleware(client, db):
    response = client.get(reverse("robots_txt"))

    assert response.has_header("Content-Security-Policy")


def test_webhook_for_a_host_not_allowed_is_refused(client, stripe_sim):
    payload = json.dumps(event_for("customer.tax_id.created", {"id": "txi_1"}))
    header = stripe.WebhookSignature.generate_signature_header(
        payload, WEBHOOK_SECRET, timestamp=int(time.time())
    )

    response = client.post(
        reverse("stripe_webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
        HTTP_HOST="attacker.example",
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_webhook_over_http_is_redirected_when_https_is_required(client, stripe_sim, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = signed_post(client, event_for("customer.tax_id.created", {"id": "txi_1"}))

    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert not StripeEvent.objects.exists()


def test_known_subscription_event_reads_stripe_once_and_writes_nothing_unchanged(
    client, pending, reader, django_assert_max_num_queries
):
    signed_post(client, pending["customer.subscription.created"])
    simulator = stripe_gateway.simulator()
    before = len(simulator.requests("GET"))

    # The event's id, the reader's customer row and the subscription row (both locked), and
    # the test's own savepoint around the view's transaction.
    with django_assert_max_num_queries(5):
        response = signed_post(client, _again(pending["customer.subscription.updated"]))

    assert response.content == b"Processed."
    reads = simulator.requests("GET")[before:]
    assert [read["path"].split("/")[2] for read in reads] == ["subscriptions"]
    assert Subscription.objects.get(user=reader).status == "active"


def test_invoice_event_reads_the_invoice_and_its_subscription_in_one_request(
    client, pending, reader
):
    simulator = stripe_gateway.simulator()
    before = len(simulator.requests("GET"))

    response = signed_post(client, pending["invoice.paid"])

    assert response.status_code == 200
    reads = simulator.requests("GET")[before:]
    assert [read["path"].split("/")[2] for read in reads] == ["invoices"]
    assert reads[0]["params"]["expand"] == [sync.INVOICE_SUBSCRIPTION_EXPAND]
    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "active"
    assert Invoice.objects.get(user=reader).subscription == subscription


@pytest.mark.postgres
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="xmin is PostgreSQL's row version")
def test_unchanged_invoice_redelivered_writes_nothing(client, pending, reader):
    signed_post(client, pending["invoice.paid"])
    invoice = Invoice.objects.get(user=reader)
    written = _xmin(invoice)

    signed_post(client, _again(pending["invoice.paid"]))

    assert _xmin(invoice) == written


def test_changed_invoice_is_updated_and_keeps_its_issue_date(client, pending, reader):
    signed_post(client, pending["invoice.paid"])
    invoice = Invoice.objects.get(user=reader)
    stripe_invoice = stripe_gateway.invoice_retrieve(invoice.stripe_invoice_id)
    changed = {**stripe_invoice, "status": "void", "amount_paid": 0, "created": None}

    sync.invoice_sync(stripe_invoice=changed)

    invoice_after = Invoice.objects.get(pk=invoice.pk)
    assert (invoice_after.status, invoice_after.amount_paid) == ("void", 0)
    assert invoice_after.stripe_created == invoice.stripe_created
    assert invoice_after.subscription_id == invoice.subscription_id
