"""The admin's subscriptions dashboard: subscribers, recurring revenue, weekly new and churned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from subscriptions import sync
from subscriptions.models import Plan, Subscription
from subscriptions.selectors import plan_monthly_cents, subscription_dashboard
from tests.factories import PlanFactory, UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=PARIS)  # a Wednesday
DASHBOARD_URL = "admin:subscriptions_subscription_dashboard"


def _at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=PARIS)


def _sync(moment: datetime, subscription_id: str, user: Any, plan: Plan, status: str) -> None:
    """What a webhook does at ``moment``: upsert the subscription as Stripe describes it."""
    with time_machine.travel(moment, tick=False):
        sync.subscription_sync(
            stripe_subscription={
                "id": subscription_id,
                "customer": f"cus_{user.pk}",
                "status": status,
                "metadata": {"user_id": str(user.pk)},
                "cancel_at_period_end": False,
                "items": {
                    "data": [
                        {
                            "price": {"id": plan.stripe_price_id},
                            "current_period_end": int(moment.timestamp()) + 7 * 86400,
                        }
                    ]
                },
            }
        )


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings: Any) -> None:
    # Two-factor set-up is the accounts app's concern, tested there.
    settings.KIOSQUE_STAFF_MFA_REQUIRED = False


@pytest.fixture
def history() -> dict[str, Plan]:
    weekly = PlanFactory(name="Hebdo", stripe_price_id="price_w", amount=249, interval="week")
    monthly = PlanFactory(name="Mensuel", stripe_price_id="price_m", amount=999, interval="month")
    yearly = PlanFactory(name="Annuel", stripe_price_id="price_y", amount=9900, interval="year")
    users = [UserFactory() for _ in range(11)]
    u = dict(enumerate(users, start=1))
    steps = [
        # Before the twelve weeks: counted as a subscriber, not as new.
        ("2025-12-01", "sub_w6", 6, weekly, "active"),
        ("2025-12-30", "sub_y1", 8, yearly, "active"),
        ("2026-01-06", "sub_m1", 1, monthly, "active"),
        ("2026-01-20", "sub_m2", 7, monthly, "active"),
        ("2026-02-03", "sub_w4", 4, weekly, "active"),
        ("2026-02-10", "sub_w5", 5, weekly, "active"),
        ("2026-02-24", "sub_y2", 9, yearly, "trialing"),
        ("2026-03-03", "sub_y2", 9, yearly, "canceled"),  # a trial that ends is churn
        ("2026-03-04", "sub_w3", 3, weekly, "trialing"),
        ("2026-03-05", "sub_w7", 10, weekly, "incomplete"),
        ("2026-03-06", "sub_w7", 10, weekly, "incomplete_expired"),  # never paid: no churn
        ("2026-03-10", "sub_w5", 5, weekly, "canceled"),
        ("2026-03-11", "sub_w4", 4, weekly, "past_due"),
        ("2026-03-12", "sub_w4", 4, weekly, "active"),  # a card fixed is no new subscriber
        ("2026-03-17", "sub_w4", 4, weekly, "past_due"),
        ("2026-03-17", "sub_w1", 1, weekly, "active"),  # reader 1 also holds sub_m1
    ]
    for day, subscription_id, user_index, plan, status in steps:
        _sync(_at(day), subscription_id, u[user_index], plan, status)
    # Monday 00:30 in Paris is still Sunday in UTC: the week is Paris's.
    _sync(_at("2026-03-16", 0, 30), "sub_w2", u[2], weekly, "incomplete")
    _sync(_at("2026-03-16", 0, 40), "sub_w2", u[2], weekly, "active")
    return {"weekly": weekly, "monthly": monthly, "yearly": yearly}


def test_monthly_value_of_a_plan_follows_its_interval() -> None:
    assert plan_monthly_cents(amount=249, interval="week", interval_count=1) == 1079
    assert plan_monthly_cents(amount=498, interval="week", interval_count=2) == 1079
    assert plan_monthly_cents(amount=999, interval="month", interval_count=1) == 999
    assert plan_monthly_cents(amount=9900, interval="year", interval_count=1) == 825


def test_dashboard_counts_subscribers_and_recurring_revenue(history, django_assert_num_queries):
    with django_assert_num_queries(3):
        dashboard = subscription_dashboard(now=NOW)

    # Readers 1, 2, 3 (trial), 6, 7 and 8; reader 1's two subscriptions make one subscriber.
    assert dashboard.active_subscribers == 6
    assert dashboard.trialing == 1
    assert dashboard.past_due == 1
    by_plan = {plan.name: plan for plan in dashboard.plans}
    assert set(by_plan) == {"Hebdo", "Mensuel", "Annuel"}
    weekly = by_plan["Hebdo"]
    # Active w1, w2, w6 and past-due w4 pay; the trial w3 does not yet.
    assert (weekly.subscribed, weekly.trialing, weekly.paying) == (4, 1, 4)
    assert (weekly.mrr_cents, weekly.wrr_cents) == (4316, 996)
    assert (by_plan["Mensuel"].mrr_cents, by_plan["Mensuel"].wrr_cents) == (1998, 461)
    assert (by_plan["Annuel"].mrr_cents, by_plan["Annuel"].wrr_cents) == (825, 190)
    (revenue,) = dashboard.revenue
    # 4316 + 1998 + 825; the weekly figure rounds the exact sum 996 + 461.08 + 190.38.
    assert (revenue.currency, revenue.mrr_cents, revenue.wrr_cents) == ("eur", 7139, 1647)


def test_dashboard_counts_new_and_churned_per_week_in_paris_time(history):
    dashboard = subscription_dashboard(now=NOW)

    weeks = [(week.week, week.new, week.churned) for week in dashboard.weeks]
    assert weeks == [
        (date(2025, 12, 29), 1, 0),
        (date(2026, 1, 5), 1, 0),
        (date(2026, 1, 12), 0, 0),
        (date(2026, 1, 19), 1, 0),
        (date(2026, 1, 26), 0, 0),
        (date(2026, 2, 2), 1, 0),
        (date(2026, 2, 9), 1, 0),
        (date(2026, 2, 16), 0, 0),
        (date(2026, 2, 23), 1, 0),
        (date(2026, 3, 2), 1, 1),
        (date(2026, 3, 9), 0, 1),
        (date(2026, 3, 16), 2, 0),
    ]
    this_week = dashboard.weeks[-1]
    assert (this_week.new_percent, this_week.churned_percent) == (100, 0)
    assert dashboard.weeks[-2].churned_percent == 50


def test_dashboard_is_empty_but_complete_without_subscriptions() -> None:
    dashboard = subscription_dashboard(now=NOW)

    assert dashboard.active_subscribers == 0
    assert dashboard.revenue == []
    assert len(dashboard.weeks) == 12
    assert all(week.new == week.churned == 0 for week in dashboard.weeks)


def _staff(*permissions: str) -> Any:
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    return user


def test_staff_allowed_to_view_subscriptions_sees_the_dashboard(history, client: Client) -> None:
    client.force_login(_staff("view_subscription"))

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse(DASHBOARD_URL))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="active-subscribers">6<' in html
    assert "71,39" in html  # MRR, French formatting
    assert "16,47" in html  # WRR
    assert "bar-w-100" in html and "bar-w-50" in html
    assert "style=" not in html.split('id="content-main"')[1]
    assert "css/admin-dashboard.css" in html
    assert Subscription.objects.count() == 11


def test_staff_without_subscription_permission_is_refused_the_dashboard(client: Client) -> None:
    client.force_login(_staff("view_plan"))

    assert client.get(reverse(DASHBOARD_URL)).status_code == 403


def test_anonymous_visitor_is_sent_to_the_admin_login(client: Client) -> None:
    response = client.get(reverse(DASHBOARD_URL))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_subscription_list_links_to_the_dashboard(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:subscriptions_subscription_changelist"))

    assert reverse(DASHBOARD_URL) in response.content.decode()
