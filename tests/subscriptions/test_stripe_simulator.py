from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import stripe

from subscriptions import stripe_gateway

ROOT = Path(__file__).resolve().parents[2]


def _session(**overrides):
    params = {
        "mode": "subscription",
        "line_items": [{"price": "price_hebdo", "quantity": 1}],
        "success_url": "http://testserver/ok",
        "locale": "fr",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


@pytest.mark.parametrize(
    ("overrides", "param", "code"),
    [
        ({"line_items": [{"price": "price_nope"}]}, "line_items[0][price]", "resource_missing"),
        ({"line_items": None}, "line_items", "parameter_missing"),
        ({"locale": "xx"}, "locale", "parameter_invalid_string"),
        ({"customer": "cus_unknown"}, "customer", "resource_missing"),
        ({"mode": None}, "mode", "parameter_missing"),
        (
            {"line_items": [{"price_data": {"currency": "eur", "unit_amount": 500,
                                            "product_data": {"name": "Billet"}}}]},
            "line_items[0][price]",
            "parameter_invalid",
        ),
    ],
)  # fmt: skip
def test_simulator_rejects_what_stripe_rejects(stripe_sim, weekly_plan, overrides, param, code):
    with pytest.raises(stripe_gateway.InvalidRequest) as caught:
        stripe_gateway.checkout_session_create(_session(**overrides))

    assert caught.value.param == param
    assert caught.value.code == code
    assert caught.value.http_status in (400, 404)


def test_unknown_object_is_a_404(stripe_sim):
    with pytest.raises(stripe_gateway.InvalidRequest) as caught:
        stripe_gateway.subscription_retrieve("sub_missing")

    assert caught.value.http_status == 404


def test_payment_mode_checkout_and_partial_refunds(stripe_sim, reader):
    customer = stripe_gateway.customer_create(email=reader.email, metadata={})
    session = stripe_gateway.checkout_session_create(
        {
            "mode": "payment",
            "customer": customer["id"],
            "line_items": [
                {
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": 4500,
                        "product_data": {"name": "New Biz Forum 2026"},
                    },
                    "quantity": 2,
                }
            ],
            "metadata": {"purpose": "ticket"},
            "success_url": "http://testserver/ok",
        }
    )
    stripe_sim.auto_deliver = False

    completed = stripe_sim.complete_checkout(session["id"], card="visa")

    assert completed["payment_status"] == "paid"
    intent = stripe_gateway.payment_intent_retrieve(completed["payment_intent"])
    assert intent["amount_received"] == 9000
    refund = stripe_gateway.refund_create(payment_intent=intent["id"], amount=4500)
    assert (refund["object"], refund["status"], refund["amount"]) == ("refund", "succeeded", 4500)
    with pytest.raises(stripe_gateway.InvalidRequest) as caught:
        stripe_gateway.refund_create(payment_intent=intent["id"], amount=5000)
    assert caught.value.code == "amount_too_large"


def test_subscription_mode_refuses_a_one_time_price_but_payment_mode_refuses_recurring(
    stripe_sim, weekly_plan
):
    with pytest.raises(stripe_gateway.InvalidRequest):
        stripe_gateway.checkout_session_create(_session(mode="payment"))


def test_objects_keep_stripes_shape_and_id_prefixes(stripe_sim, reader_client, weekly_plan):
    from tests.subscriptions.stripe_fixtures import subscribe

    subscribe(reader_client, stripe_sim, weekly_plan)
    session = stripe_sim.events("checkout.session.completed")[0]["data"]["object"]
    subscription = stripe_gateway.subscription_retrieve(session["subscription"])
    invoice = stripe_gateway.invoice_retrieve(subscription["latest_invoice"])

    assert session["id"].startswith("cs_test_") and session["object"] == "checkout.session"
    assert subscription["id"].startswith("sub_") and subscription["object"] == "subscription"
    item = subscription["items"]["data"][0]
    assert item["id"].startswith("si_") and "current_period_end" in item
    assert "current_period_end" not in subscription
    assert invoice["id"].startswith("in_")
    assert invoice["parent"]["subscription_details"]["subscription"] == subscription["id"]
    assert all(event["id"].startswith("evt_") for event in stripe_sim.events())


def test_simulator_signatures_verify_with_the_stripe_library(stripe_sim):
    body, header = stripe_sim.signed({"id": "evt_1", "object": "event", "type": "ping"})

    stripe.WebhookSignature.verify_header(body.decode(), header, stripe_sim.webhook_secret)


def test_only_the_gateway_imports_stripe():
    importers = []
    packages = ("accounts", "magazine", "subscriptions", "events", "newsletters", "config")
    for package in (*packages, "stripe_simulator"):
        for path in (ROOT / package).rglob("*.py"):
            if re.search(r"^\s*(import stripe\b|from stripe\b)", path.read_text(), re.MULTILINE):
                importers.append(str(path.relative_to(ROOT)))

    assert importers == ["subscriptions/stripe_gateway.py"]


def test_production_settings_refuse_the_simulator():
    env = {
        **os.environ,
        "DEBUG": "false",
        "STRIPE_SIMULATOR": "true",
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "STRIPE_SIMULATOR" in result.stderr


_SIMULATOR_PAGES = """
import django
django.setup()
from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, reverse
print("installed" if apps.is_installed("stripe_simulator") else "not installed")
try:
    print(reverse("stripe_simulator:checkout", args=["cs_test_x"]))
except NoReverseMatch:
    print("no route")
for path in ("/abonnement/simulateur/cs_test_x/", "/abonnement/simulateur/portail/bps_x/",
             "/abonnement/simulateur/facture/in_x/"):
    print(Client().get(path, secure=True).status_code)
"""


def _simulator_pages(**env: str) -> list[str]:
    from django.db import connection

    db = connection.settings_dict
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STRIPE_", "DEBUG", "DJANGO_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", _SIMULATOR_PAGES],
        cwd=ROOT,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "testserver",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.django_db
def test_without_the_simulator_its_app_is_not_installed_and_its_pages_are_404():
    assert _simulator_pages(DEBUG="false") == [
        "not",
        "installed",
        "no",
        "route",
        "404",
        "404",
        "404",
    ]


@pytest.mark.django_db
def test_debug_without_stripe_keys_installs_the_simulator_and_its_pages(tmp_path):
    lines = _simulator_pages(
        DEBUG="true", STRIPE_SIMULATOR_STATE_FILE=str(tmp_path / "simulator.json")
    )

    assert lines[:2] == ["installed", "/abonnement/simulateur/cs_test_x/"]
    # Unknown sessions and invoices: the simulator's own 404, from its installed views.
    assert lines[2:] == ["404", "404", "404"]
