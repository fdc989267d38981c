"""Readers download their data and delete their account; nothing of another reader leaks."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import personal_data
from accounts.data_export import user_data_export
from accounts.models import User
from accounts.services import DELETED_LABEL
from tests.factories import NewsletterFactory, RegistrationFactory
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsletter(db: Any) -> Any:
    return NewsletterFactory(name="La quotidienne", slug="quotidienne")


@pytest.fixture
def readers_things(reader: User, free_article: Any, ticket_type: Any, newsletter: Any) -> Any:
    """The reader's gift link, ticket, invoice, newsletter subscription and a metered read."""
    from newsletters import services as newsletter_services
    from newsletters.models import ConsentRecord
    from paywall.models import GiftLink, MeterPeriod, MeterRead
    from subscriptions.models import Invoice

    now = timezone.now()
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    GiftLink.objects.create(
        sender=reader, article=free_article, created_at=now, expires_at=now + timedelta(30)
    )
    RegistrationFactory(
        ticket_type=ticket_type, user=reader, first_name="Léa", last_name="Bernard",
        email=reader.email, company="Acme", price_cents=39000, paid_at=now,
    )  # fmt: skip
    Invoice.objects.create(
        stripe_invoice_id="in_lea", user=reader, number="RCM-0001", status="paid",
        amount_due=249, amount_paid=249, stripe_created=now,
    )  # fmt: skip
    newsletter_services.subscription_request(
        email=reader.email, newsletters=[newsletter], source=ConsentRecord.Source.ACCOUNT,
        ip="192.0.2.1", user=reader, verified=True,
    )  # fmt: skip
    period = MeterPeriod.objects.create(user=reader, month=now.date().replace(day=1))
    MeterRead.objects.create(period=period, article=free_article, read_at=now)
    return reader


def test_export_holds_every_section_of_the_readers_data(readers_things: User) -> None:
    data = user_data_export(user=readers_things)
    assert data["account"]["email"] == "lectrice@example.com"
    assert data["account"]["email_addresses"][0]["verified"] is True
    assert [g["article"] for g in data["gift_links"]] == ["Le centre de contacts de demain"]
    assert [i["number"] for i in data["invoices"]] == ["RCM-0001"]
    assert data["event_registrations"]["registrations"][0]["company"] == "Acme"
    assert data["newsletters"]["subscriptions"][0]["newsletter"] == "La quotidienne"
    assert data["newsletters"]["consents"][0]["ip_address"] == "192.0.2.1"
    assert data["metered_reads"][0]["article"] == "Le centre de contacts de demain"
    assert {"subscriptions", "invoices", "gift_links"} <= set(data)


def test_export_skips_apps_that_are_not_installed(reader: User, settings: Any) -> None:
    settings.INSTALLED_APPS = [
        a for a in settings.INSTALLED_APPS if a not in {"events", "newsletters"}
    ]
    data = user_data_export(user=reader)
    assert "event_registrations" not in data and "newsletters" not in data
    assert data["account"]["email"] == reader.email


def test_every_exporter_names_an_installed_app(settings: Any) -> None:
    entries = personal_data.registered()
    assert {e.app_label for e in entries} <= set(settings.INSTALLED_APPS)
    sections = [section for e in entries for section in e.exporters]
    assert len(sections) == len(set(sections)), "two apps export the same section"


def test_download_is_a_json_attachment_of_ones_own_data_only(
    client: Client, readers_things: User, others_gift: Any, others_registration: Any
) -> None:
    client.force_login(readers_things)
    assert client.get(reverse("accounts:data")).status_code == 200
    response = client.post(reverse("accounts:data_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "lectrice@example.com"
    text = response.content.decode()
    assert "autre-lecteur@example.com" not in text and "Marchand" not in text


def test_download_needs_a_login_and_a_post(client: Client, reader: User) -> None:
    response = client.post(reverse("accounts:data_download"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(reader)
    assert client.get(reverse("accounts:data_download")).status_code == 405


def test_wrong_password_deletes_nothing(client: Client, readers_things: User) -> None:
    client.force_login(readers_things)
    response = client.post(reverse("accounts:delete"), {"password": "pas-le-bon"})
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    user = User.objects.get(pk=readers_things.pk)
    assert user.is_active and user.email == "lectrice@example.com"
    assert user.gift_links.count() == 1
    assert client.session["_auth_user_id"] == str(user.pk)


def test_get_only_shows_the_confirmation_form(client: Client, readers_things: User) -> None:
    client.force_login(readers_things)
    response = client.get(reverse("accounts:delete"))
    assert response.status_code == 200
    assert response.context["warnings"] == [
        "Vous détenez un billet pour un événement à venir\xa0: il ne portera plus votre nom. "
        "Annulez-le d’abord depuis sa page si vous n’y assisterez pas."
    ]
    assert response.context["warnings"][0] in response.content.decode()
    assert User.objects.get(pk=readers_things.pk).is_active


def test_deleting_erases_the_person_and_keeps_the_accounts(
    client: Client, readers_things: User, others_gift: Any, others_registration: Any
) -> None:
    from events.models import Registration
    from newsletters.models import ConsentRecord, Subscriber, Suppression
    from paywall.models import GiftLink, MeterPeriod
    from subscriptions.models import Invoice

    client.force_login(readers_things)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    user = User.objects.get(pk=readers_things.pk)
    assert not user.is_active and not user.has_usable_password()
    assert "lectrice" not in user.email and user.first_name == DELETED_LABEL
    assert user.last_name == ""
    assert not EmailAddress.objects.filter(user=user).exists()
    # Kept for the accounts, without the person.
    assert Invoice.objects.get(stripe_invoice_id="in_lea").user_id == user.pk
    paid = Registration.objects.get(price_cents=39000)
    assert paid.first_name == DELETED_LABEL and paid.company == "" and paid.user_id is None
    assert "lectrice" not in paid.email and paid.anonymised_at is not None
    # Deleted or withdrawn.
    assert not GiftLink.objects.filter(sender=user).exists()
    assert not MeterPeriod.objects.filter(user=user).exists()
    assert not Subscriber.objects.filter(email="lectrice@example.com").exists()
    assert ConsentRecord.objects.filter(email="lectrice@example.com").latest(
        "created_at"
    ).action == (ConsentRecord.Action.UNSUBSCRIBED)
    assert Suppression.objects.filter(email="lectrice@example.com").exists()
    # The other reader is untouched.
    assert GiftLink.objects.filter(pk=others_gift.pk).exists()
    others_registration.refresh_from_db()
    assert others_registration.first_name == "Paul"
    # The old password no longer logs in.
    assert not Client().login(email="lectrice@example.com", password=PASSWORD)


def test_deleting_stops_the_stripe_subscription_at_period_end(
    client: Client, reader: User, weekly_plan: Any, stripe_sim: Any
) -> None:
    from subscriptions.models import Subscription
    from tests.subscriptions.stripe_fixtures import subscribe

    client.force_login(reader)
    subscribe(client, stripe_sim, weekly_plan)
    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "active" and not subscription.cancel_at_period_end

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    from subscriptions import stripe_gateway

    remote = stripe_gateway.subscription_retrieve(subscription.stripe_subscription_id)
    assert remote["cancel_at_period_end"] is True


def test_stripe_failure_leaves_the_account_whole(
    client: Client, readers_things: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from subscriptions import stripe_gateway
    from subscriptions.models import Subscription

    Subscription.objects.create(
        user=readers_things, stripe_subscription_id="sub_x", status="active"
    )

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise stripe_gateway.GatewayError("Stripe is down")

    monkeypatch.setattr(stripe_gateway, "subscription_update", refuse)
    client.force_login(readers_things)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    user = User.objects.get(pk=readers_things.pk)
    assert user.is_active and user.email == "lectrice@example.com"
    assert user.gift_links.count() == 1


def test_account_menu_links_to_data_and_deletion(client: Client, reader: User) -> None:
    client.force_login(reader)
    content = client.get(reverse("account_change_password")).content.decode()
    assert reverse("accounts:data") in content
    assert reverse("accounts:delete") in content
    assert reverse("mfa_index") in content
