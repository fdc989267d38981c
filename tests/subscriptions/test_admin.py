"""The billing and paywall admin pages: every list opens, each settings model is one row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from paywall.models import ComplimentaryAccess, PaywallSettings
from subscriptions.models import BillingSettings
from tests.factories import ComplimentaryAccessFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "subscriptions_plan",
        "subscriptions_subscription",
        "paywall_complimentaryaccess",
        "paywall_organisation",
        "paywall_seat",
        "paywall_giftlink",
        "paywall_meterperiod",
    ],
)
def test_admin_lists_open(admin_client: Client, model: str, subscriber: User) -> None:
    ComplimentaryAccessFactory()
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["paywall_paywallsettings", "subscriptions_billingsettings"])
def test_settings_list_goes_straight_to_the_single_row(admin_client: Client, model: str) -> None:
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse(f"admin:{model}_change", args=[1])
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 403


def test_paywall_settings_are_edited_in_the_admin(admin_client: Client) -> None:
    url = reverse("admin:paywall_paywallsettings_change", args=[PaywallSettings.load().pk])
    response = admin_client.post(
        url, {"meter_limit": "5", "gifts_per_month": "2", "gift_link_days": "14"}
    )
    assert response.status_code == 302
    assert PaywallSettings.objects.count() == 1
    row = PaywallSettings.load()
    assert (row.meter_limit, row.gifts_per_month, row.gift_link_days) == (5, 2, 14)


def test_billing_settings_are_edited_in_the_admin(admin_client: Client) -> None:
    url = reverse("admin:subscriptions_billingsettings_change", args=[BillingSettings.load().pk])
    response = admin_client.post(url, {"past_due_grace_days": "3"})
    assert response.status_code == 302
    assert BillingSettings.objects.count() == 1
    assert BillingSettings.load().past_due_grace_days == 3


def test_subscriptions_are_searchable_by_reader_email(
    admin_client: Client, subscriber: User
) -> None:
    SubscriptionFactory(status="canceled")
    response = admin_client.get(
        reverse("admin:subscriptions_subscription_changelist"), {"q": "abonne@example.com"}
    )
    assert response.context["cl"].result_count == 1


def test_complimentary_access_must_end_after_it_starts(reader: User, admin_user: User) -> None:
    now = timezone.now()
    grant = ComplimentaryAccess(
        user=reader, granted_by=admin_user, reason="Partenaire", starts_at=now, ends_at=now
    )
    with pytest.raises(ValidationError) as excinfo:
        grant.full_clean()
    assert "ends_at" in excinfo.value.message_dict
    grant.ends_at = now + timedelta(days=1)
    grant.full_clean()
