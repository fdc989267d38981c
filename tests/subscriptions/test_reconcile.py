from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from subscriptions.models import Subscription
from subscriptions.tasks import stripe_reconcile
from tests.factories import SubscriptionFactory
from tests.subscriptions.stripe_fixtures import subscribe


def test_reconcile_fixes_a_missed_cancellation_and_reports_it(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(reader_client, stripe_sim, weekly_plan)
    subscription = Subscription.objects.get(user=reader)
    stripe_sim.auto_deliver = False  # the customer.subscription.deleted webhook is lost
    from subscriptions import stripe_gateway

    stripe_gateway.subscription_cancel(subscription.stripe_subscription_id)
    assert Subscription.objects.get(pk=subscription.pk).status == "active"
    out = StringIO()

    call_command("stripe_reconcile", stdout=out)

    assert Subscription.objects.get(pk=subscription.pk).status == "canceled"
    assert f"{subscription.stripe_subscription_id}: active → canceled" in out.getvalue()


def test_reconcile_reports_nothing_when_in_sync(
    stripe_sim, reader_client, weekly_plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(reader_client, stripe_sim, weekly_plan)
    out = StringIO()

    call_command("stripe_reconcile", stdout=out)

    assert "match Stripe" in out.getvalue()


def test_daily_task_ends_a_local_subscription_stripe_does_not_know(stripe_sim, reader, weekly_plan):
    ghost = SubscriptionFactory(user=reader, plan=weekly_plan, status="active")

    changes = stripe_reconcile()

    ghost.refresh_from_db()
    assert ghost.status == "canceled"
    assert changes == [f"{ghost.stripe_subscription_id}: active → canceled (status)"]
