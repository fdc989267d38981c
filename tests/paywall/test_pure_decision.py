"""The access decision writes nothing: only the article page takes a seat or spends the meter."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.services import reader_is_subscriber
from magazine.models import Article
from paywall.access import Ground, article_access, entitlement
from paywall.models import MeterPeriod, MeterRead, PaywallSettings, Seat
from paywall.services import article_page_open, gift_link_create
from tests.factories import ArticleFactory, OrganisationFactory, UserFactory, verified_email
from tests.paywall.page import page_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def member() -> User:
    OrganisationFactory(name="Acme", seats=2, domains=["acme.fr"])
    return verified_email(UserFactory(email="membre@acme.fr"))


@pytest.fixture
def article() -> Article:
    return ArticleFactory(access=Article.Access.SUBSCRIBERS, slug="reserve")


def test_every_channel_but_the_article_page_leaves_the_seat_untaken(
    member: User, article: Article, client: Client
) -> None:
    decision = article_access(article=article, user=member)
    assert decision.ground is Ground.LICENCE  # a seat free to take counts elsewhere
    assert entitlement(user=member, client_ip=None, now=timezone.now())[0] is not None
    assert reader_is_subscriber(member)  # event pricing
    gift_link_create(sender=member, article=article)  # gift links
    client.force_login(member)
    client.get(reverse("magazine:search"), {"q": "centres"})
    client.get(reverse("magazine:article_json", args=[article.slug]))
    assert not Seat.objects.exists()

    client.get(article.get_absolute_url())  # the article page takes it
    assert Seat.objects.filter(user=member).count() == 1


def test_every_channel_but_the_article_page_leaves_the_meter_unspent(
    reader: User, article: Article, client: Client
) -> None:
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 3})
    assert not article_access(article=article, user=reader).allowed
    decision = article_access(article=article, user=reader, on_article_page=True)
    assert not decision.allowed and decision.pending is not None  # named, not spent
    client.force_login(reader)
    client.get(reverse("magazine:search"), {"q": "centres"})
    client.get(reverse("magazine:article_json", args=[article.slug]))
    assert not MeterRead.objects.exists() and not MeterPeriod.objects.exists()

    client.get(article.get_absolute_url())
    assert MeterPeriod.objects.get(user=reader).reads_count == 1


def test_a_seat_taken_meanwhile_leaves_the_member_the_meter(article: Article) -> None:
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 3})
    OrganisationFactory(name="Petit", seats=1, domains=["petit.fr"])
    first = verified_email(UserFactory(email="a@petit.fr"))
    second = verified_email(UserFactory(email="b@petit.fr"))
    # Both decide while the seat is free; the first one's page takes it.
    first_decision = article_access(article=article, user=first, on_article_page=True)
    second_decision = article_access(article=article, user=second, on_article_page=True)
    assert first_decision.pending and second_decision.pending
    assert (
        article_page_open(
            decision=first_decision, article=article, user=first, now=timezone.now()
        ).ground
        is Ground.LICENCE
    )
    opened = article_page_open(
        decision=second_decision, article=article, user=second, now=timezone.now()
    )
    assert opened.ground is Ground.METER
    assert page_access(article=article, user=second).ground is Ground.METER
