from __future__ import annotations

import time
from unittest import mock

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from subscriptions import webhooks
from subscriptions.models import BillingEmail, Invoice, StripeEvent, Subscription
from tests.subscriptions.stripe_fixtures import event_for, signed_post, subscribe

REALISTIC_SEQUENCE = (
    "checkout.session.completed",
    "customer.subscription.created",
    "invoice.paid",
    "customer.subscription.updated",
)


@pytest.fixture
def paid_checkout(stripe_sim, reader_client, weekly_plan):
    """A reader who paid on Stripe while every webhook is still undelivered."""
    stripe_sim.auto_deliver = False
    subscribe(reader_client, stripe_sim, weekly_plan)
    return {event["type"]: event for event in stripe_sim.pending_events()}


def test_bad_signature_is_refused_and_changes_nothing(client, paid_checkout, reader):
    event = paid_checkout["customer.subscription.created"]

    response = signed_post(client, event, secret="whsec_not_ours")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert not Subscription.objects.filter(user=reader).exists()


def test_stale_signature_is_refused(client, paid_checkout, reader):
    event = paid_checkout["customer.subscription.created"]

    response = signed_post(client, event, timestamp=int(time.time()) - 3600)

    assert response.status_code == 400
    assert not Subscription.objects.filter(user=reader).exists()


def test_missing_signature_is_refused(client, paid_checkout):
    response = client.post(reverse("stripe_webhook"), data=b"{}", content_type="application/json")

    assert response.status_code == 400


def test_webhook_refuses_get(client, stripe_sim):
    assert client.get(reverse("stripe_webhook")).status_code == 405


def test_webhook_needs_no_csrf_token(stripe_sim, paid_checkout, reader):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    response = signed_post(strict, paid_checkout["customer.subscription.created"])

    assert response.status_code == 200
    assert Subscription.objects.get(user=reader).status == "active"


def test_unknown_event_type_is_acknowledged(client, stripe_sim):
    response = signed_post(client, event_for("customer.tax_id.created", {"id": "txi_1"}))

    assert response.status_code == 200
    assert StripeEvent.objects.get().type == "customer.tax_id.created"


@pytest.mark.parametrize("event_type", REALISTIC_SEQUENCE)
def test_each_event_type_alone_brings_the_full_state(client, paid_checkout, reader, event_type):
    response = signed_post(client, paid_checkout[event_type])

    assert response.status_code == 200
    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "active"
    assert subscription.plan.stripe_price_id == "price_hebdo"
    assert subscription.current_period_end is not None


def test_same_event_twice_has_one_effect(
    client, paid_checkout, reader, django_capture_on_commit_callbacks, mailoutbox
):
    event = paid_checkout["invoice.paid"]

    with django_capture_on_commit_callbacks(execute=True):
        first = signed_post(client, event)
        second = signed_post(client, event)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == b"Already processed."
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    assert Invoice.objects.filter(user=reader).count() == 1
    assert len(mailoutbox) == 1


def test_processing_error_answers_500_and_the_retry_works(client, paid_checkout, reader):
    event = paid_checkout["customer.subscription.created"]

    with mock.patch.dict(
        webhooks.HANDLERS, {event["type"]: mock.Mock(side_effect=RuntimeError("db down"))}
    ):
        failed = signed_post(client, event)
    retried = signed_post(client, event)

    assert failed.status_code == 500
    assert retried.status_code == 200
    assert retried.content == b"Processed."
    assert Subscription.objects.get(user=reader).status == "active"


def test_simulator_redelivers_an_event_that_failed(stripe_sim, paid_checkout, reader):
    with mock.patch.dict(
        webhooks.HANDLERS, {"invoice.paid": mock.Mock(side_effect=RuntimeError("db down"))}
    ):
        results = dict(stripe_sim.deliver_pending())
    assert results["invoice.paid"] == 500
    assert [event["type"] for event in stripe_sim.pending_events()] == ["invoice.paid"]

    stripe_sim.deliver_pending()

    assert stripe_sim.pending_events() == []
    assert Invoice.objects.filter(user=reader, status="paid").exists()


def _local_state(user):
    subscription = Subscription.objects.get(user=user)
    return (
        subscription.status,
        subscription.plan_id,
        subscription.current_period_end,
        subscription.cancel_at_period_end,
        subscription.trial_end,
        subscription.past_due_since,
        tuple(Invoice.objects.filter(user=user).values_list("stripe_invoice_id", "status")),
        tuple(BillingEmail.objects.filter(user=user).values_list("key", flat=True)),
    )


def test_any_order_and_repetition_of_events_ends_in_the_same_state(
    client, paid_checkout, reader, django_capture_on_commit_callbacks
):
    events = [paid_checkout[event_type] for event_type in REALISTIC_SEQUENCE]
    with django_capture_on_commit_callbacks(execute=True):
        for event in events:
            signed_post(client, event)
    expected = _local_state(reader)
    assert expected[0] == "active"

    @hypothesis_settings(
        max_examples=30,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        order=st.permutations(events),
        repeats=st.lists(st.sampled_from(events), max_size=4),
    )
    def deliver(order, repeats):
        StripeEvent.objects.all().delete()
        Invoice.objects.all().delete()
        BillingEmail.objects.all().delete()
        Subscription.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            for event in [*order, *repeats]:
                assert signed_post(client, event).status_code == 200
        assert _local_state(reader) == expected

    deliver()
