"""The one access function: every ground, every refusal, and what it costs in queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from magazine.models import Article
from paywall.access import Ground, Wall, article_access
from paywall.models import MeterPeriod, PaywallSettings, Seat
from paywall.services import article_page_access
from paywall.teaser import paywalled_body, split_body
from subscriptions.models import BillingSettings, Subscription
from tests.factories import (
    ArticleFactory,
    ComplimentaryAccessFactory,
    OrganisationFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.paywall.page import page_access

pytestmark = pytest.mark.django_db

LONG_BODY = (
    "<p>Le marché des centres de contact se recompose.</p>"
    "<p>Les éditeurs de CRM poussent leurs agents IA.</p>"
    "<h2>Ce que disent les chiffres</h2>"
    "<p>53 % des clients rejettent l'IA au service client.</p>"
)


def test_anonymous_reader_reads_a_free_article_without_any_query(
    anonymous: AnonymousUser, free_article: Article, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        decision = article_access(article=free_article, user=anonymous, client_ip="192.0.2.1")
    assert decision.allowed
    assert decision.ground is Ground.FREE
    assert decision.cacheable_for_anonymous


def test_anonymous_reader_meets_the_registration_wall_on_a_registered_article(
    anonymous: AnonymousUser, registered_article: Article
) -> None:
    decision = article_access(article=registered_article, user=anonymous)
    assert not decision.allowed
    assert decision.ground is Ground.NONE
    assert decision.wall is Wall.REGISTRATION
    assert decision.reason_code == "registration_required"
    assert decision.cacheable_for_anonymous


def test_registered_reader_reads_a_registered_article(
    reader: User, registered_article: Article
) -> None:
    decision = article_access(article=registered_article, user=reader)
    assert decision.allowed
    assert decision.ground is Ground.REGISTERED


def test_anonymous_reader_meets_a_registration_wall_not_a_cookie_meter(
    anonymous: AnonymousUser, subscriber_article: Article
) -> None:
    with translation.override("en"):
        decision = page_access(article=subscriber_article, user=anonymous)
    assert not decision.allowed
    assert decision.wall is Wall.REGISTRATION
    assert decision.reason_code == "registration_required"
    assert "3 subscriber articles a month" in decision.message
    assert decision.meter_remaining is None
    assert decision.cacheable_for_anonymous


def test_anonymous_reader_meets_the_subscription_wall_when_the_meter_is_off(
    anonymous: AnonymousUser, subscriber_article: Article, paywall_settings: PaywallSettings
) -> None:
    paywall_settings.meter_limit = 0
    paywall_settings.save()
    decision = article_access(article=subscriber_article, user=anonymous)
    assert decision.wall is Wall.SUBSCRIPTION
    assert decision.reason_code == "subscription_required"


def test_anonymous_teaser_is_not_cacheable_when_a_licence_has_ip_ranges(
    anonymous: AnonymousUser, subscriber_article: Article
) -> None:
    OrganisationFactory(ip_ranges=["198.51.100.0/24"])
    decision = article_access(article=subscriber_article, user=anonymous, client_ip="192.0.2.1")
    assert not decision.allowed
    assert not decision.cacheable_for_anonymous


def test_subscriber_reads_in_a_fixed_small_number_of_queries(
    subscriber: User, subscriber_article: Article, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(1):
        decision = page_access(article=subscriber_article, user=subscriber, client_ip="192.0.2.1")
    assert decision.allowed
    assert decision.ground is Ground.SUBSCRIPTION
    assert decision.wall is None
    assert not decision.cacheable_for_anonymous


def test_subscriber_with_many_old_subscriptions_still_costs_one_query(
    subscriber: User, subscriber_article: Article, django_assert_max_num_queries
) -> None:
    for _ in range(5):
        SubscriptionFactory(user=subscriber, status=Subscription.Status.CANCELED)
    with django_assert_max_num_queries(1):
        assert article_access(article=subscriber_article, user=subscriber).allowed


def test_subscriber_does_not_spend_the_meter(subscriber: User, subscriber_article: Article) -> None:
    page_access(article=subscriber_article, user=subscriber)
    assert not MeterPeriod.objects.filter(user=subscriber).exists()


def test_trialing_subscriber_reads_in_full(subscriber_article: Article) -> None:
    subscription = SubscriptionFactory(status=Subscription.Status.TRIALING)
    decision = article_access(article=subscriber_article, user=subscription.user)
    assert decision.ground is Ground.SUBSCRIPTION


def test_lapsed_subscriber_sees_teaser_only(
    lapsed_subscriber: User, subscriber_article: Article
) -> None:
    decision = article_access(article=subscriber_article, user=lapsed_subscriber)
    assert not decision.allowed
    assert decision.wall is Wall.SUBSCRIPTION
    assert decision.reason_code == "subscription_required"


@pytest.mark.parametrize(
    "status",
    ["incomplete", "incomplete_expired", "canceled", "unpaid", "paused"],
)
def test_subscriptions_that_are_not_paid_grant_nothing(
    status: str, subscriber_article: Article
) -> None:
    subscription = SubscriptionFactory(status=status)
    decision = article_access(article=subscriber_article, user=subscription.user)
    assert not decision.allowed


def test_past_due_subscriber_keeps_reading_within_the_grace_period(
    subscriber_article: Article,
) -> None:
    with time_machine.travel("2025-10-20 09:00 +02:00", tick=False):
        subscription = SubscriptionFactory(
            status=Subscription.Status.PAST_DUE, past_due_since=timezone.now()
        )
    with time_machine.travel("2025-10-26 09:00 +01:00", tick=False):
        decision = article_access(article=subscriber_article, user=subscription.user)
    assert decision.allowed
    assert decision.ground is Ground.SUBSCRIPTION


def test_past_due_subscriber_loses_access_after_the_grace_period(
    subscriber_article: Article,
) -> None:
    with time_machine.travel("2025-10-20 09:00 +02:00", tick=False):
        subscription = SubscriptionFactory(
            status=Subscription.Status.PAST_DUE, past_due_since=timezone.now()
        )
    with time_machine.travel("2025-10-27 09:00 +01:00", tick=False):
        decision = article_access(article=subscriber_article, user=subscription.user)
    assert not decision.allowed
    assert decision.reason_code == "subscription_required"


def test_grace_period_comes_from_the_billing_settings(subscriber_article: Article) -> None:
    BillingSettings.objects.update_or_create(pk=1, defaults={"past_due_grace_days": 1})
    subscription = SubscriptionFactory(
        status=Subscription.Status.PAST_DUE, past_due_since=timezone.now() - timedelta(days=2)
    )
    assert not article_access(article=subscriber_article, user=subscription.user).allowed


def test_complimentary_reader_reads_with_the_offered_by_message(
    complimentary_reader: User, subscriber_article: Article
) -> None:
    decision = article_access(article=subscriber_article, user=complimentary_reader)
    assert decision.allowed
    assert decision.ground is Ground.COMPLIMENTARY
    assert decision.message == gettext("Offered by %(name)s") % {"name": "Relation Client Magazine"}


def test_complimentary_access_names_who_offers_it_when_staff_say_so(
    reader: User, subscriber_article: Article
) -> None:
    ComplimentaryAccessFactory(user=reader, offered_by="Forum ECTFF")
    decision = article_access(article=subscriber_article, user=reader)
    assert decision.message == gettext("Offered by %(name)s") % {"name": "Forum ECTFF"}


def test_complimentary_access_before_its_start_grants_nothing(
    reader: User, subscriber_article: Article
) -> None:
    ComplimentaryAccessFactory(
        user=reader,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=10),
    )
    assert not article_access(article=subscriber_article, user=reader).allowed


def test_complimentary_access_after_its_end_grants_nothing(
    complimentary_reader: User, subscriber_article: Article
) -> None:
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        decision = article_access(article=subscriber_article, user=complimentary_reader)
    assert not decision.allowed
    assert decision.reason_code == "subscription_required"


def test_staff_with_the_preview_permission_reads_everything(
    editor: User, subscriber_article: Article
) -> None:
    decision = article_access(article=subscriber_article, user=editor)
    assert decision.allowed
    assert decision.ground is Ground.STAFF


def test_staff_without_the_preview_permission_is_a_reader_like_others(
    subscriber_article: Article,
) -> None:
    staff = UserFactory(email="compta@example.com", is_staff=True)
    assert not article_access(article=subscriber_article, user=staff).allowed
    staff.user_permissions.add(Permission.objects.get(codename="preview_article"))
    staff = User.objects.get(pk=staff.pk)  # permissions are cached on the instance
    assert article_access(article=subscriber_article, user=staff).ground is Ground.STAFF


def test_registered_reader_on_a_feed_gets_no_meter_access(
    reader: User, subscriber_article: Article
) -> None:
    decision = article_access(article=subscriber_article, user=reader)
    assert not decision.allowed
    assert decision.wall is Wall.SUBSCRIPTION
    assert decision.reason_code == "subscription_required"
    assert not MeterPeriod.objects.exists()


def test_grounds_come_in_a_fixed_order(subscriber: User, subscriber_article: Article) -> None:
    """A subscriber who is also a company member and complimentary keeps the subscription."""
    ComplimentaryAccessFactory(user=subscriber)
    decision = article_access(article=subscriber_article, user=subscriber)
    assert decision.ground is Ground.SUBSCRIPTION
    assert not Seat.objects.exists()


def test_reader_access_reads_user_ip_and_gift_token_from_the_request(
    subscriber_article: Article, settings
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    OrganisationFactory(name="Acme", ip_ranges=["203.0.113.0/24"])
    request = RequestFactory().get(
        "/article/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    request.user = AnonymousUser()
    decision = article_page_access(request, subscriber_article)
    assert decision.ground is Ground.LICENCE
    assert decision.message == gettext("%(organisation)s licence") % {"organisation": "Acme"}

    request = RequestFactory().get("/article/", {"cadeau": "abimé"}, REMOTE_ADDR="192.0.2.4")
    request.user = AnonymousUser()
    decision = article_page_access(request, subscriber_article)
    assert decision.reason_code == "gift_tampered"
    assert not decision.cacheable_for_anonymous


def test_refused_reader_receives_the_teaser_and_never_the_rest(
    anonymous: AnonymousUser,
) -> None:
    article = ArticleFactory(access=Article.Access.SUBSCRIBERS, body=LONG_BODY)
    decision = article_access(article=article, user=anonymous)
    html = paywalled_body(article, decision)
    teaser, rest = split_body(LONG_BODY)
    assert html == teaser
    assert "agents IA" in html
    assert "53 %" not in html
    assert rest and rest not in html


def test_allowed_reader_receives_the_whole_body(subscriber: User) -> None:
    article = ArticleFactory(access=Article.Access.SUBSCRIBERS, body=LONG_BODY)
    decision = article_access(article=article, user=subscriber)
    assert paywalled_body(article, decision) == LONG_BODY


def test_complimentary_reader_costs_two_queries(
    complimentary_reader: User, subscriber_article: Article, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(2):
        assert article_access(article=subscriber_article, user=complimentary_reader).allowed


def test_anonymous_reader_on_a_paywalled_article_costs_at_most_two_queries(
    anonymous: AnonymousUser, subscriber_article: Article, django_assert_max_num_queries
) -> None:
    OrganisationFactory(ip_ranges=["198.51.100.0/24", "203.0.113.0/24"])
    PaywallSettings.load()
    with django_assert_max_num_queries(2):
        decision = page_access(article=subscriber_article, user=anonymous, client_ip="192.0.2.1")
    assert not decision.allowed
