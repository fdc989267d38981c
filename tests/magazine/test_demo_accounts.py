"""The demo's accounts, one per role (README's "Try it" tour and the browser journeys use them)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event
from magazine.demo import content, people
from magazine.models import Article
from newsletters.models import Campaign, Delivery, Newsletter, Subscriber
from paywall.access import article_access
from subscriptions.models import Plan, Subscription
from tests.subscriptions.stripe_fixtures import stripe_sim  # noqa: F401

pytestmark = pytest.mark.django_db

CONTRACT = {
    "editeur@kiosque.local": (True, {"Editors"}),
    "marketing@kiosque.local": (True, {"Marketing"}),
    "evenements@kiosque.local": (True, {"Événements"}),
    "abonne@kiosque.local": (False, set()),
    "lectrice@acme-relation.fr": (False, set()),
    "lecteur@kiosque.local": (False, set()),
}


def _admin_apps(client: Client, email: str) -> set[str]:
    client.force_login(User.objects.get(email=email))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {app["app_label"] for app in response.context["app_list"]}


def test_one_demo_account_per_role_each_seeing_its_part(client: Client) -> None:
    out = io.StringIO()
    call_command("load_demo", "--allow-production", stdout=out)
    output = out.getvalue()

    for email, (staff, groups) in CONTRACT.items():
        user = User.objects.get(email=email)
        assert user.check_password("kiosque-demo-2025"), email
        assert (user.is_staff, user.is_superuser) == (staff, False), email
        assert set(user.groups.values_list("name", flat=True)) == groups, email
        assert EmailAddress.objects.filter(user=user, email=email, verified=True).exists()
        assert email in output
    assert "kiosque-demo-2025" in output
    assert f"{settings.SITE_URL}/admin/" in output

    # Each staff role sees its own part of the admin; marketing and events staff may look up
    # articles (for a digest, a write-up) but not change them.
    assert _admin_apps(client, content.EDITOR_EMAIL) == {"magazine"}
    assert _admin_apps(client, content.MARKETER_EMAIL) == {"newsletters", "magazine"}
    assert _admin_apps(client, content.EVENTS_STAFF_EMAIL) == {"events", "magazine"}
    for email in (content.MARKETER_EMAIL, content.EVENTS_STAFF_EMAIL):
        staff = User.objects.get(email=email)
        assert staff.has_perm("magazine.view_article"), email
        assert not staff.has_perm("magazine.change_article"), email
    event = Event.objects.published().filter(starts_at__gt=timezone.now()).first()
    assert event is not None
    assert client.get(reverse("events:checkin", args=[event.slug])).status_code == 200
    assert client.get(reverse("admin:events_event_change", args=[event.pk])).status_code == 200
    client.force_login(User.objects.get(email=content.MARKETER_EMAIL))
    draft = Campaign.objects.get(status=Campaign.Status.DRAFT)
    assert (
        client.get(reverse("admin:newsletters_campaign_change", args=[draft.pk])).status_code == 200
    )
    assert client.get(reverse("events:checkin", args=[event.slug])).status_code in (302, 403)

    # Readers: the paywall opens to the subscriber and the company reader, not the registered one.
    premium = Article.objects.published().filter(access=Article.Access.SUBSCRIBERS).first()
    assert premium is not None

    def opens(email: str) -> bool:
        user = User.objects.get(email=email)
        return article_access(article=premium, user=user).allowed

    assert opens(content.SUBSCRIBER_EMAIL) and opens(content.COMPANY_READER_EMAIL)
    assert not opens(content.READER_EMAIL)

    # Newsletters: public lists with confirmed subscribers (the readers among them), one issue
    # already sent to them and a draft ready to send.
    assert Newsletter.objects.filter(public=True).count() >= 1
    for email in (content.SUBSCRIBER_EMAIL, content.COMPANY_READER_EMAIL, content.READER_EMAIL):
        assert Subscriber.objects.confirmed().filter(email=email).exists(), email
    sent = Campaign.objects.get(status=Campaign.Status.SENT)
    assert sent.finished_at < timezone.now() and sent.total_recipients >= 3
    assert Delivery.objects.filter(campaign=sent, status="sent").count() == sent.total_recipients
    assert sent.digest_items.exists() and draft.digest_items.exists()
    anonymous = Client()
    letters = anonymous.get(reverse("newsletters:subscribe")).content.decode()
    signup = anonymous.get(reverse("account_signup")).content.decode()
    for letter in Newsletter.objects.filter(public=True):
        assert letter.name in letters and letter.name in signup

    # A second run duplicates nothing.
    counts = (User.objects.count(), Subscriber.objects.count(), Campaign.objects.count())
    call_command("load_demo", "--allow-production", stdout=io.StringIO())
    assert (User.objects.count(), Subscriber.objects.count(), Campaign.objects.count()) == counts


@pytest.mark.usefixtures("stripe_sim")
def test_demo_subscriber_pays_the_weekly_plan_at_the_simulated_stripe() -> None:
    for plan in content.PLANS:
        Plan.objects.create(**plan)
    subscriber, _created, _changed = people.person_ensure(content.PEOPLE["subscriber"])
    editor, _created, _changed = people.person_ensure(content.PEOPLE["editor"], staff=True)

    for _run in range(2):
        people.subscription_ensure(user=subscriber, granted_by=editor, now=timezone.now())

    (subscription,) = Subscription.objects.filter(user=subscriber)
    assert subscription.status == "active"
    assert subscription.plan.stripe_price_id == content.WEEKLY_PLAN
    assert subscription.plan.interval == "week"
    assert subscription.current_period_end > timezone.now() + timedelta(days=5)
