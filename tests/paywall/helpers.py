"""The leak matrix's world: one article per access level, seeded with markers, and the personas.

Each body carries a teaser marker before the editor's cut (``<hr>``) and, after it, a secret
marker, a word found nowhere else (for search) and an inline figure whose alt text is a marker
too. Whatever channel shows a secret marker or an alt marker has shown the paywalled part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.utils import translation

from accounts.models import User
from magazine.models import Article, Rubrique
from paywall import services

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


def spend_the_meter(visitor: Visitor, world: World) -> None:
    for filler in world.fillers:
        assert visitor.get(filler.get_absolute_url()).status_code == 200
    assert services.meter_reads_this_month(user=visitor.user) == METER_LIMIT
