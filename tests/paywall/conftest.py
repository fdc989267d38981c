"""The leak matrix's world and visitors, built from tests/paywall/helpers.py and the personas."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from accounts.models import User
from magazine.models import Article
from paywall import services
from paywall.models import PaywallSettings
from tests.factories import ArticleFactory, OrganisationFactory, RubriqueFactory
from tests.paywall.helpers import (
    LEVELS,
    LICENSED_IP,
    LICENSED_RANGE,
    METER_LIMIT,
    OUTSIDE_IP,
    Visitor,
    World,
    body_for,
    spend_the_meter,
)


@pytest.fixture
def world(db: None, subscriber: User) -> World:  # type: ignore[no-untyped-def]
    settings_row = PaywallSettings.load()
    settings_row.meter_limit = METER_LIMIT
    settings_row.save()
    rubrique = RubriqueFactory(name="Matrice", slug="matrice")
    articles = {
        level: ArticleFactory(
            title=f"Article de la matrice, accès {level}",
            slug=f"matrice-{level}",
            lead=f"Le chapeau public de l'article {level}.",
            body=body_for(level),
            access=level,
            rubrique=rubrique,
        )
        for level in LEVELS
    }
    fillers = [
        ArticleFactory(access=Article.Access.SUBSCRIBERS, slug=f"compteur-{n}", rubrique=rubrique)
        for n in range(METER_LIMIT)
    ]
    # A company licence by IP exists on every run: the anonymous cache must tell its readers
    # apart from everyone else.
    OrganisationFactory(name="Plateau Lyon", ip_ranges=[LICENSED_RANGE])
    services.licence_ranges_changed()
    gift_tokens = {
        article.pk: services.gift_link_create(sender=subscriber, article=article).token
        for level, article in articles.items()
        if level != "free"
    }
    return World(rubrique, articles, fillers, gift_tokens)


@pytest.fixture
def visitor_for(world: World, request: pytest.FixtureRequest) -> Callable[[str], Visitor]:
    """Build the visitor for a persona name: a fresh client, logged in or not, with its IP."""

    def build(persona: str) -> Visitor:
        client = Client()
        if persona in {"anonymous", "company_by_ip", "gift_holder"}:
            ip = LICENSED_IP if persona == "company_by_ip" else OUTSIDE_IP
            tokens = world.gift_tokens if persona == "gift_holder" else {}
            return Visitor(persona, client, ip, gift_tokens=tokens)
        fixture = {
            "registered_within_meter": "reader",
            "registered_past_meter": "reader",
            "subscriber": "subscriber",
            "lapsed_subscriber": "lapsed_subscriber",
            "complimentary": "complimentary_reader",
            "company_by_domain": "company_member",
            "staff": "staff_member",
        }[persona]
        user = request.getfixturevalue(fixture)
        client.force_login(user)
        visitor = Visitor(persona, client, OUTSIDE_IP, user=user)
        if persona in {"registered_past_meter", "lapsed_subscriber"}:
            spend_the_meter(visitor, world)
        return visitor

    return build


@pytest.fixture
def anonymous() -> AnonymousUser:
    return AnonymousUser()


@pytest.fixture
def free_article(db) -> Article:  # type: ignore[no-untyped-def]
    return ArticleFactory(access=Article.Access.FREE)


@pytest.fixture
def registered_article(db) -> Article:  # type: ignore[no-untyped-def]
    return ArticleFactory(access=Article.Access.REGISTERED)


@pytest.fixture
def subscriber_article(db) -> Article:  # type: ignore[no-untyped-def]
    return ArticleFactory(access=Article.Access.SUBSCRIBERS)


@pytest.fixture
def paywall_settings(db) -> PaywallSettings:  # type: ignore[no-untyped-def]
    return PaywallSettings.load()
