"""The subscriber's history: every change of status, plan or period, with the cause."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscription, SubscriptionHistory
from subscriptions.tasks import stripe_reconcile
from tests.factories import SubscriptionFactory
from tests.subscriptions.stripe_fixtures import event_for, signed_post, subscribe


def _subscribed(client: Client, simulator: Any, plan: Any, capture: Any) -> Subscription:
    with capture(execute=True):
        subscribe(client, simulator, plan)
    return Subscription.objects.get(stripe_customer_id__startswith="cus_")


def _entries(subscription: Subscription) -> list[SubscriptionHistory]:
    return list(subscription.history.order_by("at", "pk"))


def test_subscribing_then_cancelling_in_the_portal_is_written_in_the_history(
    stripe_sim, reader_client, weekly_plan, django_capture_on_commit_callbacks
):
    subscription = _subscribed(
        reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks
    )
    first, *_rest = _entries(subscription)
    assert first.old_status == ""
    assert first.details["plan_id"] == [None, weekly_plan.pk]
    assert _entries(subscription)[-1].new_status == "active"
    portal_url = reader_client.post(reverse("billing:portal"))["Location"]

    with django_capture_on_commit_callbacks(execute=True):
        reader_client.post(
            portal_url, {"action": "cancel", "subscription": subscription.stripe_subscription_id}
        )

    last = _entries(subscription)[-1]
    assert (last.old_status, last.new_status) == ("active", "active")
    assert last.details == {"cancel_at_period_end": [False, True]}
    assert last.type == "customer.subscription.updated"
    (event,) = [e for e in stripe_sim.events() if e["id"] == last.stripe_event_id]
    assert event["type"] == "customer.subscription.updated"


def test_an_event_that_changes_nothing_adds_no_history(
    stripe_sim, reader_client, client, weekly_plan, django_capture_on_commit_callbacks
):
    subscription = _subscribed(
        reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks
    )
    count = subscription.history.count()

    response = signed_post(
        client,
        event_for(
            "customer.subscription.updated",
            {"id": subscription.stripe_subscription_id, "object": "subscription"},
            event_id="evt_same_state_again",
        ),
    )

    assert response.status_code == 200
    assert subscription.history.count() == count


def test_reconcile_writes_the_correction_in_the_history(stripe_sim, reader, weekly_plan):
    ghost = SubscriptionFactory(user=reader, plan=weekly_plan, status="active")

    stripe_reconcile()

    (entry,) = _entries(ghost)
    assert (entry.type, entry.old_status, entry.new_status) == ("reconcile", "active", "canceled")
    assert entry.stripe_event_id == ""


def test_missed_webhook_found_by_reconcile_is_labelled_reconcile(
    stripe_sim, reader_client, weekly_plan, django_capture_on_commit_callbacks
):
    from subscriptions import stripe_gateway

    subscription = _subscribed(
        reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks
    )
    stripe_sim.auto_deliver = False  # the customer.subscription.deleted webhook is lost
    stripe_gateway.subscription_cancel(subscription.stripe_subscription_id)

    stripe_reconcile()

    last = _entries(subscription)[-1]
    assert (last.type, last.old_status, last.new_status) == ("reconcile", "active", "canceled")


def test_admin_shows_the_history_read_only_on_the_subscription(
    stripe_sim, reader_client, admin_client, weekly_plan, django_capture_on_commit_callbacks,
    settings,
):  # fmt: skip
    settings.KIOSQUE_STAFF_MFA_REQUIRED = False
    subscription = _subscribed(
        reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks
    )
    entry = _entries(subscription)[-1]

    response = admin_client.get(
        reverse("admin:subscriptions_subscription_change", args=[subscription.pk])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert entry.type in html
    assert 'name="history-0-new_status"' not in html
    assert 'name="history-__prefix__-new_status"' not in html
