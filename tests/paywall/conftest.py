"""The leak matrix's world: one article per access level, seeded with markers, and the personas.

Each body carries a teaser marker before the editor's cut (``<hr>``) and, after it, a secret
marker, a word found nowhere else (for search) and an inline figure whose alt text is a marker
too. Whatever channel shows a secret marker or an alt marker has shown the paywalled part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client
from django.utils import translation

from accounts.models import User
from magazine.models import Article, Rubrique
from magazine.roles import editors_group_sync
from paywall import services
from paywall.models import PaywallSettings
from tests.factories import ArticleFactory, OrganisationFactory, RubriqueFactory

LEVELS = ("free", "registered", "subscribers")
PERSONAS = (
    "anonymous",
    "registered_within_meter",
    "registered_past_meter",
    "subscriber",
    "lapsed_subscriber",
    "complimentary",
    "company_by_domain",
    "company_by_ip",
    "gift_holder",
    "staff",
)
AUTHENTICATED = frozenset(
    {
        "registered_within_meter",
        "registered_past_meter",
        "subscriber",
        "lapsed_subscriber",
        "complimentary",
        "company_by_domain",
        "staff",
    }
)
LICENSED_RANGE = "203.0.113.0/24"
LICENSED_IP = "203.0.113.7"
OUTSIDE_IP = "198.51.100.20"
METER_LIMIT = 3


def secret_marker(level: str) -> str:
    return f"MARQUEUR-SECRET-{level}-1"


def teaser_marker(level: str) -> str:
    return f"MARQUEUR-TEASER-{level}-1"


def alt_marker(level: str) -> str:
    return f"ALT-MARKER-{level}-1"


def secret_word(level: str) -> str:
    """A word of the paywalled part only: search must not find a closed article by it."""
    return f"motsecret{level}"


def teaser_word(level: str) -> str:
    return f"motaccroche{level}"


def body_for(level: str) -> str:
    return (
        f"<p>{teaser_marker(level)} Le Chalet de l'Aurore accueille le New Biz Forum, "
        f"{teaser_word(level)}.</p>"
        "<p>Deuxième paragraphe, encore public.</p>"
        "<hr>"
        f"<p>La suite réservée : {secret_marker(level)}, et le mot {secret_word(level)}.</p>"
        '<figure class="figure">'
        f'<img src="https://images.example.com/{level}.jpg" alt="{alt_marker(level)}">'
        '<figcaption class="figure-caption">Crédit : la rédaction</figcaption></figure>'
        "<p>Dernier paragraphe, réservé lui aussi.</p>"
    )


@dataclass
class World:
    rubrique: Rubrique
    articles: dict[str, Article]
    # Other subscriber articles, on which the "past the meter" personas spend their month.
    fillers: list[Article]
    gift_tokens: dict[int, str] = field(default_factory=dict)

    def url(self, level: str, *, language: str = "fr") -> str:
        with translation.override(language):
            return self.articles[level].get_absolute_url()


@dataclass
class Visitor:
    persona: str
    client: Client
    remote_addr: str
    user: User | None = None
    # Article id → the gift token this visitor holds for it (the gift-link holder only).
    gift_tokens: dict[int, str] = field(default_factory=dict)

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    def get(self, path: str, article: Article | None = None, **data: Any) -> HttpResponse:
        if article is not None and article.pk in self.gift_tokens:
            data[services.GIFT_QUERY_PARAMETER] = self.gift_tokens[article.pk]
        return self.client.get(path, data or None, REMOTE_ADDR=self.remote_addr)


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
def staff_member(db: None, request: pytest.FixtureRequest) -> User:  # type: ignore[no-untyped-def]
    # A transactional test elsewhere may have flushed the Editors group made by post_migrate.
    editors_group_sync()
    return request.getfixturevalue("editor")


def spend_the_meter(visitor: Visitor, world: World) -> None:
    for filler in world.fillers:
        assert visitor.get(filler.get_absolute_url()).status_code == 200
    assert services.meter_reads_this_month(user=visitor.user) == METER_LIMIT


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
