"""A gift link that no longer opens its article says why, through the real views, with the teaser.

Expired, revoked, tampered, over-quota and other-article links, on the article page, its print
view and the JSON endpoint, for an anonymous visitor and for a registered reader (whose meter
such a link must not spend).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.models import User
from magazine.models import Article
from paywall import services
from paywall.models import GiftLink, PaywallSettings
from tests.paywall.helpers import body_for, secret_marker, teaser_marker

pytestmark = pytest.mark.django_db

LEVEL = "subscribers"
KINDS = ["tampered", "expired", "revoked", "over_quota", "other_article"]
MESSAGES = {
    "tampered": "This gift link is not valid. Check that it was copied in full.",
    "revoked": "The subscriber who shared this article has withdrawn the gift link.",
    "over_quota": "This gift link is over its sender's monthly allowance of gifts.",
    "other_article": "This gift link opens another article, not this one.",
}


@pytest.fixture
def article() -> Article:
    from tests.factories import ArticleFactory

    return ArticleFactory(
        slug="cadeau-porte", access=Article.Access.SUBSCRIBERS, body=body_for(LEVEL)
    )


def broken_link(kind: str, subscriber: User, article: Article) -> tuple[str, GiftLink]:
    """A token of the given kind for ``article`` and the gift it was made from."""
    if kind == "other_article":
        from tests.factories import ArticleFactory

        other = ArticleFactory(access=Article.Access.SUBSCRIBERS)
        gift = services.gift_link_create(sender=subscriber, article=other)
        return gift.token, gift
    if kind == "over_quota":
        PaywallSettings.objects.update_or_create(pk=1, defaults={"gifts_per_month": 1})
        now = timezone.now()
        GiftLink.objects.create(
            sender=subscriber, article=article, created_at=now, expires_at=now + timedelta(days=9)
        )
        gift = GiftLink.objects.create(
            sender=subscriber, article=article, created_at=now, expires_at=now + timedelta(days=9)
        )
        return gift.token, gift
    gift = services.gift_link_create(sender=subscriber, article=article)
    if kind == "expired":
        # Moved into the past rather than travelling forward: the reader's session must live.
        gift.expires_at = timezone.now() - timedelta(minutes=1)
        gift.save(update_fields=["expires_at"])
    if kind == "revoked":
        services.gift_link_revoke(gift=gift, by=subscriber)
    if kind == "tampered":
        return signing.dumps({"g": gift.pk, "a": article.pk}, salt="another-salt"), gift
    return gift.token, gift


def french_message(kind: str, gift: GiftLink) -> str:
    with translation.override("fr"):
        if kind == "expired":
            when = formats.date_format(timezone.localtime(gift.expires_at), "DATE_FORMAT")
            return gettext("This gift link expired on %(date)s.") % {"date": when}
        return gettext(MESSAGES[kind])


def url_for(channel: str, article: Article) -> str:
    if channel == "page":
        return article.get_absolute_url()
    if channel == "print":
        return reverse("magazine:article_print", kwargs={"slug": article.slug})
    return reverse("magazine:article_json", kwargs={"slug": article.slug})


@pytest.mark.parametrize("channel", ["page", "print", "json"])
@pytest.mark.parametrize("who", ["anonymous", "registered"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_gift_link_that_no_longer_opens_says_why_and_shows_the_teaser(
    kind: str, who: str, channel: str, article: Article, subscriber: User, reader: User
) -> None:
    token, gift = broken_link(kind, subscriber, article)
    client = Client()
    if who == "registered":
        client.force_login(reader)

    response = client.get(url_for(channel, article), {"cadeau": token})

    assert response.status_code == 200
    text = response.content.decode()
    assert secret_marker(LEVEL) not in text
    assert teaser_marker(LEVEL) in text
    message = french_message(kind, gift)
    reason = f"gift_{kind}"
    if channel == "json":
        data = response.json()
        assert (data["reason"], data["message"], data["paywalled"]) == (reason, message, True)
    else:
        assert escape(message) in text
        if channel == "page":
            assert f"paywall__reason--{reason}" in text
    assert "no-store" in response["Cache-Control"]
    assert response.wsgi_request.user.is_authenticated is (who == "registered")
    # A broken gift never spends the reader's free articles.
    assert services.meter_reads_this_month(user=reader) == 0


def test_a_valid_gift_link_opens_the_article_for_an_anonymous_visitor_and_is_never_cached(
    article: Article, subscriber: User
) -> None:
    gift = services.gift_link_create(sender=subscriber, article=article)

    opened = Client().get(article.get_absolute_url(), {"cadeau": gift.token})
    plain = Client().get(article.get_absolute_url())

    assert secret_marker(LEVEL) in opened.content.decode()
    assert "no-store" in opened["Cache-Control"]
    assert secret_marker(LEVEL) not in plain.content.decode()
