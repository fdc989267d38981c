from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from subscriptions.models import Plan, StripeCustomer, Subscription
from tests.factories import SubscriptionFactory
from tests.subscriptions.stripe_fixtures import subscribe


def test_checkout_opens_a_french_subscription_session_with_tax_and_vat_collection(
    stripe_sim, reader_client, reader, weekly_plan
):
    response = reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    assert response.status_code == 302
    (request,) = stripe_sim.requests("POST", "/v1/checkout/sessions")
    customer_id = StripeCustomer.objects.get(user=reader).customer_id
    params = request["params"]
    assert params["mode"] == "subscription"
    assert params["locale"] == "fr"
    assert params["automatic_tax"] == {"enabled": "true"}
    assert params["allow_promotion_codes"] == "true"
    assert params["billing_address_collection"] == "required"
    assert params["tax_id_collection"] == {"enabled": "true"}
    assert params["customer"] == customer_id
    assert params["client_reference_id"] == str(reader.pk)
    assert params["line_items"] == [{"price": "price_hebdo", "quantity": "1"}]
    assert params["success_url"] == (
        "http://testserver/abonnement/confirmation/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert params["cancel_url"] == "http://testserver/abonnement/"
    assert response["Location"].startswith("http://testserver/abonnement/simulateur/cs_test_")


def test_second_checkout_reuses_the_stripe_customer(stripe_sim, reader_client, weekly_plan):
    reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))
    reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    sessions = stripe_sim.requests("POST", "/v1/checkout/sessions")
    assert len(stripe_sim.requests("POST", "/v1/customers")) == 1
    assert sessions[0]["params"]["customer"] == sessions[1]["params"]["customer"]


def test_checkout_refuses_get(stripe_sim, reader_client, weekly_plan):
    response = reader_client.get(reverse("billing:checkout", args=[weekly_plan.pk]))

    assert response.status_code == 405


def test_checkout_needs_an_account(stripe_sim, client, weekly_plan):
    response = client.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    assert response.status_code == 302
    assert "/compte/login/" in response["Location"]
    assert stripe_sim.requests("POST", "/v1/checkout/sessions") == []


def test_trial_plan_asks_stripe_for_the_trial(stripe_sim, reader_client, weekly_plan):
    weekly_plan.trial_days = 14
    weekly_plan.save()

    reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    (request,) = stripe_sim.requests("POST", "/v1/checkout/sessions")
    assert request["params"]["subscription_data"]["trial_period_days"] == "14"


def test_subscriber_is_not_sent_to_pay_twice(stripe_sim, client, subscriber, weekly_plan):
    client.force_login(subscriber)

    response = client.post(reverse("billing:checkout", args=[weekly_plan.pk]), follow=True)

    assert response.redirect_chain[0][0] == reverse("billing:account")
    (message,) = response.context["messages"]
    assert message.level_tag == "info"
    assert stripe_sim.requests("POST", "/v1/checkout/sessions") == []


def test_paid_subscription_unknown_locally_is_found_at_stripe_and_not_sold_again(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks
):
    stripe_sim.auto_deliver = False  # the webhooks of the first payment are still on their way
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(reader_client, stripe_sim, weekly_plan)
    assert not Subscription.objects.filter(user=reader).exists()

    response = reader_client.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    assert response["Location"] == reverse("billing:account")
    assert len(stripe_sim.requests("POST", "/v1/checkout/sessions")) == 1
    assert Subscription.objects.get(user=reader).status == "active"


def test_subscribing_end_to_end_opens_access_through_the_webhooks(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(reader_client, stripe_sim, weekly_plan)

    assert response.status_code == 302
    assert response["Location"].startswith("http://testserver/abonnement/confirmation/")
    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "active"
    assert subscription.plan == weekly_plan
    page = reader_client.get(response["Location"])
    assert page.context["subscription"] == subscription
    assert 'data-activation="pending"' not in page.content.decode()
    (welcome,) = mailoutbox
    assert welcome.to == [reader.email]
    assert welcome.alternatives[0][1] == "text/html"
    assert "Hebdo" in welcome.body


def test_return_page_waits_for_stripe_without_a_session(
    stripe_sim, reader_client, reader, weekly_plan
):
    stripe_sim.auto_deliver = False
    subscribe(reader_client, stripe_sim, weekly_plan)

    page = reader_client.get(reverse("billing:checkout_return"))

    assert 'data-activation="pending"' in page.content.decode()
    assert not Subscription.objects.filter(user=reader).exists()


def test_return_page_syncs_from_the_session_like_the_webhook(
    stripe_sim, reader_client, reader, weekly_plan
):
    stripe_sim.auto_deliver = False
    response = subscribe(reader_client, stripe_sim, weekly_plan)

    page = reader_client.get(response["Location"])

    assert 'data-activation="pending"' not in page.content.decode()
    assert Subscription.objects.get(user=reader).status == "active"


def test_return_page_with_someone_elses_session_grants_nothing(
    stripe_sim, client, reader, weekly_plan
):
    from tests.factories import UserFactory

    stripe_sim.auto_deliver = False
    other = UserFactory()
    client.force_login(other)
    response = subscribe(client, stripe_sim, weekly_plan)
    client.force_login(reader)
    reader_client = client

    page = reader_client.get(response["Location"])

    assert 'data-activation="pending"' in page.content.decode()
    assert not Subscription.objects.filter(user=reader).exists()


def test_declined_card_at_checkout_keeps_the_session_open(
    stripe_sim, reader_client, reader, weekly_plan
):
    response = subscribe(reader_client, stripe_sim, weekly_plan, card="declined")

    assert response.status_code == 402
    assert "declined" in response.content.decode()
    assert not Subscription.objects.filter(user=reader).exists()


@pytest.mark.parametrize("amount", [300, 349])
def test_admin_refuses_a_weekly_plan_at_three_euros_or_more(admin_client, amount):
    response = admin_client.post(
        reverse("admin:subscriptions_plan_add"),
        {
            "name": "Hebdo cher",
            "stripe_price_id": "price_cher",
            "amount": amount,
            "currency": "eur",
            "interval": "week",
            "interval_count": 1,
            "trial_days": 0,
            "active": "on",
            "display_order": 0,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    (message,) = response.context["adminform"].form.errors["amount"]
    # The admin speaks French here: the clear error quotes the limit in cents.
    assert "300" in message
    assert "3\xa0€" in message or "€3" in message
    assert not Plan.objects.filter(stripe_price_id="price_cher").exists()


def test_account_page_shows_plan_renewal_and_portal_button(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(reader_client, stripe_sim, weekly_plan)

    page = reader_client.get(reverse("billing:account")).content.decode()

    assert "Hebdo" in page
    assert 'data-status="active"' in page
    assert "data-renewal" in page
    assert reverse("billing:portal") in page
    assert "€2.49" in page or "2,49" in page


def test_portal_button_opens_a_portal_session_for_the_readers_customer(
    stripe_sim, reader_client, reader, weekly_plan
):
    subscribe(reader_client, stripe_sim, weekly_plan)

    response = reader_client.post(reverse("billing:portal"))

    assert "/abonnement/simulateur/portail/bps_" in response["Location"]
    (request,) = stripe_sim.requests("POST", "/v1/billing_portal/sessions")
    assert request["params"]["customer"] == StripeCustomer.objects.get(user=reader).customer_id


def test_simulated_pages_do_not_exist_without_the_simulator(client, settings, db):
    settings.STRIPE_SIMULATOR = False

    response = client.get(reverse("stripe_simulator:checkout", args=["cs_test_x"]))

    assert response.status_code == 404


def test_existing_factory_subscription_is_enough_to_refuse(stripe_sim, client, reader, weekly_plan):
    SubscriptionFactory(user=reader, plan=weekly_plan, status="past_due")
    client.force_login(reader)

    response = client.post(reverse("billing:checkout", args=[weekly_plan.pk]))

    assert response["Location"] == reverse("billing:account")


def test_account_page_says_when_a_cancelled_subscription_ends_and_labels_invoices(
    stripe_sim, reader_client, reader, weekly_plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(reader_client, stripe_sim, weekly_plan)
    Subscription.objects.filter(user=reader).update(cancel_at_period_end=True)

    with translation.override("en"):
        html = reader_client.get(reverse("billing:account")).content.decode()

    assert "Cancellation scheduled — access until" in html
    assert 'data-status="active"' in html
    # The invoice status is a label for readers, not Stripe's raw code.
    assert "status-label--paid" in html
    assert ">Paid<" in html
