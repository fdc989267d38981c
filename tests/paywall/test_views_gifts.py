"""Gift links from the reader's side: offer, copy, list, withdraw, and every failing link."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape as html_unescape

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from magazine.models import Article
from paywall import services
from paywall.models import GiftLink, PaywallSettings
from tests.factories import UserFactory
from tests.magazine.paywall_helpers import MARKER, TEASER_WORD, premium_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return premium_article()


@pytest.fixture
def subscriber_client(client: Client, subscriber: User) -> Client:
    client.force_login(subscriber)
    return client


def _create_url(article: Article) -> str:
    return reverse("magazine:gift_create", args=[article.slug])


def test_subscriber_offers_an_article_and_gets_a_link_to_copy(
    subscriber_client: Client, article: Article
) -> None:
    response = subscriber_client.post(_create_url(article))

    gift = GiftLink.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("paywall:gift_detail", args=[gift.pk])
    html = subscriber_client.get(response["Location"]).content.decode()
    (gift_url,) = re.findall(r'id="gift-url"[^>]* value="([^"]+)"', html)
    assert gift_url.startswith(f"http://testserver{article.get_absolute_url()}?cadeau=")

    visitor = Client()
    page = visitor.get(html_unescape(gift_url).removeprefix("http://testserver")).content.decode()
    assert MARKER in page
    assert "access-note--gift" in page


@pytest.mark.parametrize(
    "url",
    [
        lambda article, gift: _create_url(article),
        lambda article, gift: reverse("paywall:gift_revoke", args=[gift.pk]),
    ],
    ids=["create", "revoke"],
)
def test_state_changing_views_refuse_get(
    subscriber_client: Client, subscriber: User, article: Article, url
) -> None:  # type: ignore[no-untyped-def]
    gift = services.gift_link_create(sender=subscriber, article=article)

    response = subscriber_client.get(url(article, gift))

    assert response.status_code == 405
    assert GiftLink.objects.count() == 1
    assert GiftLink.objects.get().revoked_at is None


def test_reader_without_subscription_cannot_offer(
    client: Client, reader: User, article: Article
) -> None:
    client.force_login(reader)

    response = client.post(_create_url(article))

    assert response.status_code == 403
    assert not GiftLink.objects.exists()
    assert "form-errors" in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client: Client, article: Article) -> None:
    response = client.post(_create_url(article))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not GiftLink.objects.exists()


def test_monthly_quota_is_enforced_with_a_clear_error(
    subscriber_client: Client, article: Article
) -> None:
    PaywallSettings.objects.update_or_create(pk=1, defaults={"gifts_per_month": 1})
    subscriber_client.post(_create_url(article))

    response = subscriber_client.post(_create_url(article))

    assert response.status_code == 400
    assert GiftLink.objects.count() == 1


def test_free_article_cannot_be_offered(subscriber_client: Client) -> None:
    free = premium_article(access=Article.Access.FREE, slug="libre")

    assert subscriber_client.post(_create_url(free)).status_code == 400
    assert not GiftLink.objects.exists()


def test_gift_links_page_lists_and_withdraws(
    subscriber_client: Client, subscriber: User, article: Article
) -> None:
    gift = services.gift_link_create(sender=subscriber, article=article)

    listing = subscriber_client.get(reverse("paywall:gift_links")).content.decode()
    assert article.title in listing
    assert reverse("paywall:gift_revoke", args=[gift.pk]) in listing

    response = subscriber_client.post(reverse("paywall:gift_revoke", args=[gift.pk]))
    assert response.status_code == 302
    gift.refresh_from_db()
    assert gift.revoked_at is not None

    page = Client().get(services.gift_link_path(gift)).content.decode()
    assert MARKER not in page and TEASER_WORD in page
    assert "paywall__reason--gift_revoked" in page


def test_nobody_else_sees_or_withdraws_a_gift_link(
    client: Client, subscriber: User, article: Article
) -> None:
    gift = services.gift_link_create(sender=subscriber, article=article)
    client.force_login(UserFactory())

    assert client.get(reverse("paywall:gift_detail", args=[gift.pk])).status_code == 404
    assert client.post(reverse("paywall:gift_revoke", args=[gift.pk])).status_code == 404
    gift.refresh_from_db()
    assert gift.revoked_at is None


def test_expired_gift_link_shows_the_teaser_and_says_so(
    client: Client, subscriber: User, article: Article
) -> None:
    gift = services.gift_link_create(sender=subscriber, article=article)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        page = client.get(services.gift_link_path(gift)).content.decode()

    assert MARKER not in page and TEASER_WORD in page
    assert "paywall__reason--gift_expired" in page


@pytest.mark.parametrize("token", ["nimportequoi", "signed-elsewhere"])
def test_tampered_gift_link_shows_the_teaser_and_says_so(
    client: Client, subscriber: User, article: Article, token: str
) -> None:
    gift = services.gift_link_create(sender=subscriber, article=article)
    if token == "signed-elsewhere":
        token = signing.dumps({"g": gift.pk, "a": article.pk}, salt="another-salt")

    page = client.get(article.get_absolute_url(), {"cadeau": token}).content.decode()

    assert MARKER not in page and TEASER_WORD in page
    assert "paywall__reason--gift_tampered" in page


def test_over_quota_gift_link_shows_the_teaser_and_says_so(
    client: Client, subscriber: User, article: Article
) -> None:
    now = timezone.now()
    GiftLink.objects.create(
        sender=subscriber, article=article, created_at=now, expires_at=now + timedelta(days=9)
    )
    over = GiftLink.objects.create(
        sender=subscriber, article=article, created_at=now, expires_at=now + timedelta(days=9)
    )
    PaywallSettings.objects.update_or_create(pk=1, defaults={"gifts_per_month": 1})

    page = client.get(services.gift_link_path(over)).content.decode()

    assert MARKER not in page
    assert "paywall__reason--gift_over_quota" in page
