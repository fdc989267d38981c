"""Plans priced per week (the headline offer), the €3 rule, and subscription states."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from core.money import format_price
from subscriptions.models import Plan, Subscription
from subscriptions.offers import subscription_offer
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("interval", "count", "amount", "weekly"),
    [
        ("week", 1, 249, 249),
        ("week", 2, 499, 250),  # 249.5 rounds half up
        ("week", 4, 998, 250),  # 249.5
        ("month", 1, 999, 231),  # 999 × 12 / 52 = 230.54
        ("month", 1, 1300, 300),
        ("month", 3, 2600, 200),
        ("year", 1, 9900, 190),  # 190.38
        ("year", 1, 12974, 250),  # 249.5 rounds half up
        ("year", 2, 20800, 200),
    ],
)
def test_weekly_price(interval: str, count: int, amount: int, weekly: int) -> None:
    plan = Plan(interval=interval, interval_count=count, amount=amount)
    assert plan.weekly_price_cents == weekly


def test_weekly_headline_plan_costing_three_euros_or_more_is_refused() -> None:
    plan = Plan(name="Hebdo", stripe_price_id="price_x", amount=300, interval="week")
    # The wording is checked in English, the language of the msgids.
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            plan.full_clean()
        assert "less than €3" in " ".join(excinfo.value.message_dict["amount"])


def test_weekly_plan_under_three_euros_is_accepted() -> None:
    Plan(name="Hebdo", stripe_price_id="price_y", amount=299, interval="week").full_clean()


def test_other_plans_may_cost_more_than_three_euros() -> None:
    Plan(name="Annuel", stripe_price_id="price_z", amount=9900, interval="year").full_clean()
    Plan(
        name="Quinzaine", stripe_price_id="price_q", amount=500, interval="week", interval_count=2
    ).full_clean()


def test_interval_count_must_be_positive() -> None:
    plan = Plan(name="X", stripe_price_id="price_0", amount=100, interval="week", interval_count=0)
    with pytest.raises(ValidationError) as excinfo:
        plan.full_clean()
    assert "interval_count" in excinfo.value.message_dict


def test_offer_quotes_the_cheapest_active_plan_per_week(weekly_plan: Plan) -> None:
    PlanFactory(name="Annuel", amount=9900, interval="year")  # 1.90 a week
    PlanFactory(name="Ancien", amount=100, interval="year", active=False)
    with translation.override("en"):
        offer = subscription_offer()
    assert offer is not None
    assert offer.plan.name == "Annuel"
    assert offer.weekly_price_cents == 190
    assert offer.weekly_price == "€1.90"
    assert offer.text == "Unlimited access for less than €3 a week — Subscribe"


def test_no_offer_when_nothing_is_on_sale() -> None:
    assert subscription_offer() is None


def test_prices_follow_the_language() -> None:
    with translation.override("en"):
        assert format_price(249) == "€2.49"
    with translation.override("fr"):
        # Sign placement ("2,49 €") comes with the French catalogue; the number is localised now.
        assert "2,49" in format_price(249)


@pytest.mark.parametrize(
    ("status", "grants"),
    [
        ("active", True),
        ("trialing", True),
        ("incomplete", False),
        ("incomplete_expired", False),
        ("canceled", False),
        ("unpaid", False),
        ("paused", False),
    ],
)
def test_subscription_states(status: str, grants: bool) -> None:
    subscription = Subscription(status=status)
    assert subscription.grants_access(timezone.now(), timedelta(days=7)) is grants


def test_past_due_grace_is_measured_from_past_due_since() -> None:
    now = timezone.now()
    grace = timedelta(days=7)
    subscription = Subscription(status="past_due", past_due_since=now - timedelta(days=6))
    assert subscription.grants_access(now, grace)
    subscription.past_due_since = now - timedelta(days=7)
    assert not subscription.grants_access(now, grace)
    subscription.past_due_since = None
    assert not subscription.grants_access(now, grace)
