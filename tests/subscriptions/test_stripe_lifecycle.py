from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from paywall.access import Ground, entitlement
from subscriptions.models import Subscription
from tests.subscriptions.stripe_fixtures import subscribe


def _reads_as_subscriber(user, now=None) -> bool:
    granted, _refusal = entitlement(user=user, client_ip=None, now=now or timezone.now())
    return granted is not None and granted.ground == Ground.SUBSCRIPTION


def _subscribed(client, simulator, plan, capture, card="visa"):
    with capture(execute=True):
        subscribe(client, simulator, plan, card=card)


def test_3d_secure_on_first_payment_waits_for_authentication(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks, mailoutbox
):
    _subscribed(reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks, "3ds")

    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "incomplete"
    assert not _reads_as_subscriber(reader)
    (email,) = mailoutbox
    invoice_url = stripe_sim.events("invoice.payment_action_required")[0]["data"]["object"][
        "hosted_invoice_url"
    ]
    assert invoice_url in email.body
    assert invoice_url in email.alternatives[0][0]

    with django_capture_on_commit_callbacks(execute=True):
        reader_client.post(invoice_url, {"action": "authenticate"})

    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert _reads_as_subscriber(reader)


def test_3d_secure_on_renewal_keeps_access_in_grace_and_recovers(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks, mailoutbox
):
    _subscribed(reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks)
    customer = stripe_sim.events("checkout.session.completed")[0]["data"]["object"]["customer"]
    stripe_sim.set_card(customer, "3ds")
    mailoutbox.clear()

    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        with django_capture_on_commit_callbacks(execute=True):
            types = stripe_sim.tick()
        subscription = Subscription.objects.get(user=reader)
        assert "invoice.payment_action_required" in types
        assert subscription.status == "past_due"
        assert _reads_as_subscriber(reader)
        invoice = stripe_sim.events("invoice.payment_action_required")[0]["data"]["object"]
        invoice_id = invoice["id"]
        (email,) = mailoutbox
        assert invoice["hosted_invoice_url"] in email.body
        with django_capture_on_commit_callbacks(execute=True):
            reader_client.post(
                reverse("stripe_simulator:invoice", args=[invoice_id]), {"action": "authenticate"}
            )
        subscription.refresh_from_db()
        assert subscription.status == "active"
        assert subscription.past_due_since is None


def test_declined_renewal_keeps_access_during_grace_then_loses_it(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks, mailoutbox
):
    start = timezone.now()
    _subscribed(reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks)
    customer = stripe_sim.events("checkout.session.completed")[0]["data"]["object"]["customer"]
    stripe_sim.set_card(customer, "declined")
    mailoutbox.clear()

    with time_machine.travel(start + timedelta(days=7, hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            stripe_sim.tick()
        subscription = Subscription.objects.get(user=reader)
        assert subscription.status == "past_due"
        assert subscription.past_due_since is not None
        assert _reads_as_subscriber(reader)
        assert len(mailoutbox) == 1  # payment failed: update your card
        banner = reader_client.get(reverse("billing:account")).content.decode()
        assert 'role="alert"' in banner

    with time_machine.travel(start + timedelta(days=12, hours=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            stripe_sim.tick()  # the retry on day 3 and day 5 fail too
        assert Subscription.objects.get(user=reader).status == "past_due"
        assert _reads_as_subscriber(reader)
        assert len(mailoutbox) == 1  # one email per invoice, not per retry

    with time_machine.travel(start + timedelta(days=14, hours=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            stripe_sim.tick()  # last retry on day 7 fails: Stripe cancels
        assert Subscription.objects.get(user=reader).status == "canceled"
        assert not _reads_as_subscriber(reader)


def test_grace_period_alone_ends_access_while_stripe_still_retries(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks
):
    stripe_sim.dunning.retry_days = [3, 10, 20]
    start = timezone.now()
    _subscribed(reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks)
    customer = stripe_sim.events("checkout.session.completed")[0]["data"]["object"]["customer"]
    stripe_sim.set_card(customer, "declined")
    with time_machine.travel(start + timedelta(days=7, hours=1), tick=False):
        stripe_sim.tick()

    later = start + timedelta(days=15)
    with time_machine.travel(later, tick=False):
        stripe_sim.tick()
        assert Subscription.objects.get(user=reader).status == "past_due"
        assert not _reads_as_subscriber(reader, now=later)


def test_cancel_at_period_end_in_the_portal_keeps_access_until_the_end(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks, mailoutbox
):
    start = timezone.now()
    _subscribed(reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    portal_url = reader_client.post(reverse("billing:portal"))["Location"]
    subscription = Subscription.objects.get(user=reader)

    with django_capture_on_commit_callbacks(execute=True):
        reader_client.post(
            portal_url, {"action": "cancel", "subscription": subscription.stripe_subscription_id}
        )

    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    assert subscription.status == "active"
    assert _reads_as_subscriber(reader)
    (confirmation,) = mailoutbox
    assert confirmation.alternatives[0][1] == "text/html"

    with time_machine.travel(start + timedelta(days=7, hours=1), tick=False):
        stripe_sim.tick()
        assert Subscription.objects.get(user=reader).status == "canceled"
        assert not _reads_as_subscriber(reader)


def test_resume_in_the_portal_undoes_the_cancellation(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks
):
    _subscribed(reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks)
    portal_url = reader_client.post(reverse("billing:portal"))["Location"]
    subscription_id = Subscription.objects.get(user=reader).stripe_subscription_id
    reader_client.post(portal_url, {"action": "cancel", "subscription": subscription_id})

    reader_client.post(portal_url, {"action": "resume", "subscription": subscription_id})

    assert Subscription.objects.get(user=reader).cancel_at_period_end is False


def test_trial_reads_everything_warns_before_the_end_then_becomes_active(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks, mailoutbox
):
    weekly_plan.trial_days = 7
    weekly_plan.save()
    start = timezone.now()
    _subscribed(reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks)

    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "trialing"
    assert subscription.trial_end is not None
    assert _reads_as_subscriber(reader)
    mailoutbox.clear()

    with (
        time_machine.travel(start + timedelta(days=4, hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        types = stripe_sim.tick()
    assert types == ["customer.subscription.trial_will_end"]
    assert len(mailoutbox) == 1

    with time_machine.travel(start + timedelta(days=7, hours=1), tick=False):
        stripe_sim.tick()
        subscription.refresh_from_db()
        assert subscription.status == "active"
        assert subscription.current_period_end > start + timedelta(days=13)


def test_weekly_renewals_move_the_period_end_from_the_subscription_item(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks
):
    _subscribed(reader_client, stripe_sim, weekly_plan, django_capture_on_commit_callbacks)
    first_end = Subscription.objects.get(user=reader).current_period_end

    stripe_sim.advance(days=7, hours=1)

    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "active"
    assert subscription.current_period_end == first_end + timedelta(days=7)
    assert subscription.invoices.filter(status="paid").count() == 2
