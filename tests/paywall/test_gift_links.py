"""Gift links: a subscriber shares one article through a signed, expiring, revocable link."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone, translation

from accounts.models import User
from magazine.models import Article
from paywall.access import Ground, Wall
from paywall.models import GIFT_LINK_SALT, GiftLink, MeterPeriod, PaywallSettings
from paywall.services import (
    article_page_access,
    gift_link_create,
    gift_link_path,
    gift_link_revoke,
    gift_token_for,
)
from paywall.teaser import paywalled_body, split_body
from tests.factories import ArticleFactory
from tests.paywall.page import page_access

pytestmark = pytest.mark.django_db

BODY = "<p>Un.</p><p>Deux.</p><p>La suite réservée aux abonnés.</p>"


@pytest.fixture
def article() -> Article:
    return ArticleFactory(access=Article.Access.SUBSCRIBERS, body=BODY)


def open_link(article: Article, token: str, user: object = None, **kwargs: object):  # type: ignore[no-untyped-def]
    return page_access(
        article=article,
        user=user or AnonymousUser(),
        gift_token=token,
        **kwargs,  # type: ignore[arg-type]
    )


def test_anyone_with_a_subscriber_gift_link_reads_the_article_in_full(
    subscriber: User, article: Article
) -> None:
    gift = gift_link_create(sender=subscriber, article=article)
    decision = open_link(article, gift.token)
    assert decision.allowed
    assert decision.ground is Ground.GIFT
    assert not decision.cacheable_for_anonymous
    assert paywalled_body(article, decision) == BODY


def test_gift_link_is_the_article_address_with_the_cadeau_parameter(
    subscriber: User, article: Article
) -> None:
    gift = gift_link_create(sender=subscriber, article=article)
    path = gift_link_path(gift)
    assert path.startswith(article.get_absolute_url() + "?cadeau=")
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    assert article_page_access(request, article).ground is Ground.GIFT


def test_registered_reader_opening_a_gift_does_not_spend_the_meter(
    subscriber: User, reader: User, article: Article
) -> None:
    gift = gift_link_create(sender=subscriber, article=article)
    assert open_link(article, gift.token, reader).ground is Ground.GIFT
    assert not MeterPeriod.objects.exists()


def test_gift_link_opens_only_its_own_article(subscriber: User, article: Article) -> None:
    gift = gift_link_create(sender=subscriber, article=article)
    other = ArticleFactory(access=Article.Access.SUBSCRIBERS, body=BODY)
    decision = open_link(other, gift.token)
    assert not decision.allowed
    assert decision.reason_code == "gift_other_article"
    assert paywalled_body(other, decision) == split_body(BODY)[0]


def test_gift_link_still_works_on_its_29th_day(subscriber: User, article: Article) -> None:
    gift = gift_link_create(sender=subscriber, article=article)
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        assert open_link(article, gift.token).allowed


def test_expired_gift_link_shows_the_teaser_and_says_it_expired(
    subscriber: User, article: Article
) -> None:
    gift = gift_link_create(sender=subscriber, article=article)
    with (
        time_machine.travel(timezone.now() + timedelta(days=30, seconds=1), tick=False),
        translation.override("en"),
    ):
        decision = open_link(article, gift.token)
    assert not decision.allowed
    assert decision.reason_code == "gift_expired"
    assert decision.wall is Wall.REGISTRATION
    assert "expired" in decision.message
    assert paywalled_body(article, decision) == split_body(BODY)[0]


def test_expired_gift_link_tells_a_registered_reader_rather_than_spending_the_meter(
    subscriber: User, reader: User, article: Article
) -> None:
    gift = gift_link_create(sender=subscriber, article=article)
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        decision = open_link(article, gift.token, reader)
    assert decision.reason_code == "gift_expired"
    assert decision.wall is Wall.SUBSCRIPTION
    assert not MeterPeriod.objects.exists()


def test_gift_link_validity_comes_from_the_paywall_settings(
    subscriber: User, article: Article
) -> None:
    settings_row = PaywallSettings.load()
    settings_row.gift_link_days = 2
    settings_row.save()
    gift = gift_link_create(sender=subscriber, article=article)
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert open_link(article, gift.token).reason_code == "gift_expired"


def test_revoked_gift_link_shows_the_teaser_and_says_so(subscriber: User, article: Article) -> None:
    gift = gift_link_create(sender=subscriber, article=article)
    gift_link_revoke(gift=gift, by=subscriber)
    with translation.override("en"):
        decision = open_link(article, gift.token)
    assert not decision.allowed
    assert decision.reason_code == "gift_revoked"
    assert "withdrawn" in decision.message


def test_only_the_sender_may_revoke_a_gift_link(
    subscriber: User, reader: User, article: Article
) -> None:
    gift = gift_link_create(sender=subscriber, article=article)
    with pytest.raises(PermissionDenied):
        gift_link_revoke(gift=gift, by=reader)
    gift.refresh_from_db()
    assert gift.revoked_at is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace(token.split(":")[0], token.split(":")[0] + "x", 1),
        lambda token: signing.dumps({"g": 1, "a": 1}, salt="another-salt"),
        lambda token: signing.dumps({"g": 999_999, "a": 1}, salt=GIFT_LINK_SALT),
        lambda token: "n'importe quoi",
    ],
    ids=["signature", "payload", "other-salt", "unknown-gift", "garbage"],
)
def test_tampered_gift_link_shows_the_teaser_and_says_it_is_invalid(
    tamper, subscriber: User, article: Article
) -> None:  # type: ignore[no-untyped-def]
    gift = gift_link_create(sender=subscriber, article=article)
    with translation.override("en"):
        decision = open_link(article, tamper(gift.token))
    assert not decision.allowed
    assert decision.reason_code == "gift_tampered"
    assert "not valid" in decision.message


def test_subscriber_cannot_exceed_the_monthly_gift_quota(
    subscriber: User, article: Article
) -> None:
    for _ in range(5):
        gift_link_create(sender=subscriber, article=article)
    with pytest.raises(ValidationError) as excinfo:
        gift_link_create(sender=subscriber, article=article)
    assert excinfo.value.code == "over_quota"
    assert GiftLink.objects.count() == 5


def test_revoked_gifts_give_their_place_back(subscriber: User, article: Article) -> None:
    gifts = [gift_link_create(sender=subscriber, article=article) for _ in range(5)]
    gift_link_revoke(gift=gifts[0], by=subscriber)
    gift_link_create(sender=subscriber, article=article)
    assert GiftLink.objects.filter(revoked_at__isnull=True).count() == 5


def test_gift_quota_starts_again_each_month(subscriber: User, article: Article) -> None:
    with time_machine.travel("2025-10-15 10:00 +02:00", tick=False):
        for _ in range(5):
            gift_link_create(sender=subscriber, article=article)
    with time_machine.travel("2025-11-02 10:00 +01:00", tick=False):
        gift = gift_link_create(sender=subscriber, article=article)
        assert open_link(article, gift.token).allowed


def test_link_over_the_quota_shows_the_teaser_and_says_so(
    subscriber: User, article: Article
) -> None:
    """Links made around the service (or before the admin lowered the quota) are refused."""
    for _ in range(5):
        gift_link_create(sender=subscriber, article=article)
    now = timezone.now()
    extra = GiftLink.objects.create(
        sender=subscriber, article=article, created_at=now, expires_at=now + timedelta(days=30)
    )
    decision = open_link(article, gift_token_for(extra))
    assert not decision.allowed
    assert decision.reason_code == "gift_over_quota"
    first = GiftLink.objects.order_by("created_at", "pk").first()
    assert first is not None
    assert open_link(article, first.token).allowed


def test_lowering_the_quota_refuses_the_later_links(subscriber: User, article: Article) -> None:
    gifts = [gift_link_create(sender=subscriber, article=article) for _ in range(3)]
    settings_row = PaywallSettings.load()
    settings_row.gifts_per_month = 2
    settings_row.save()
    assert [open_link(article, gift.token).allowed for gift in gifts] == [True, True, False]


def test_complimentary_reader_and_company_member_may_offer_articles(
    complimentary_reader: User, company_member: User, article: Article
) -> None:
    assert gift_link_create(sender=complimentary_reader, article=article).pk
    assert gift_link_create(sender=company_member, article=article).pk


@pytest.mark.parametrize("persona", ["reader", "lapsed_subscriber"])
def test_readers_without_a_subscription_cannot_offer_articles(
    persona: str, request: pytest.FixtureRequest, article: Article
) -> None:
    sender = request.getfixturevalue(persona)
    with pytest.raises(ValidationError) as excinfo:
        gift_link_create(sender=sender, article=article)
    assert excinfo.value.code == "not_subscriber"
    assert not GiftLink.objects.exists()


def test_free_articles_are_shared_by_their_address_not_a_gift(
    subscriber: User, free_article: Article
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        gift_link_create(sender=subscriber, article=free_article)
    assert excinfo.value.code == "free_article"
