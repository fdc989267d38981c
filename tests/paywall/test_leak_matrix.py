"""The paywall never leaks: every persona × every access level × every channel.

The expected outcomes below are written out by hand, not derived from the engine: if the
engine and this table disagree, one of them is wrong and a person must decide which.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from magazine.page_cache import CACHE_HEADER
from tests.paywall.helpers import (
    AUTHENTICATED,
    LEVELS,
    OUTSIDE_IP,
    PERSONAS,
    Visitor,
    World,
    alt_marker,
    secret_marker,
    secret_word,
    teaser_marker,
    teaser_word,
)

pytestmark = pytest.mark.django_db

EVERY_LEVEL = frozenset(LEVELS)

# Who reads which level in full on the article page and its print view, where the meter counts
# (three free subscriber articles a month for registered readers).
READS_ON_ARTICLE_PAGE: dict[str, frozenset[str]] = {
    "anonymous": frozenset({"free"}),
    "registered_within_meter": frozenset({"free", "registered", "subscribers"}),
    "registered_past_meter": frozenset({"free", "registered"}),
    "subscriber": frozenset({"free", "registered", "subscribers"}),
    # A canceled subscription opens nothing; this persona has spent the month's meter too.
    "lapsed_subscriber": frozenset({"free", "registered"}),
    "complimentary": frozenset({"free", "registered", "subscribers"}),
    "company_by_domain": frozenset({"free", "registered", "subscribers"}),
    "company_by_ip": frozenset({"free", "registered", "subscribers"}),
    "gift_holder": frozenset({"free", "registered", "subscribers"}),
    "staff": frozenset({"free", "registered", "subscribers"}),
}

# The JSON endpoint: the meter never opens anything outside the article page.
READS_THROUGH_JSON: dict[str, frozenset[str]] = {
    "anonymous": frozenset({"free"}),
    "registered_within_meter": frozenset({"free", "registered"}),
    "registered_past_meter": frozenset({"free", "registered"}),
    "subscriber": frozenset({"free", "registered", "subscribers"}),
    "lapsed_subscriber": frozenset({"free", "registered"}),
    "complimentary": frozenset({"free", "registered", "subscribers"}),
    "company_by_domain": frozenset({"free", "registered", "subscribers"}),
    "company_by_ip": frozenset({"free", "registered", "subscribers"}),
    "gift_holder": frozenset({"free", "registered", "subscribers"}),
    "staff": frozenset({"free", "registered", "subscribers"}),
}

# Search by a word of the paywalled part: neither the meter nor a gift token opens a body here.
FINDS_BY_SECRET_WORD: dict[str, frozenset[str]] = {
    "anonymous": frozenset({"free"}),
    "registered_within_meter": frozenset({"free", "registered"}),
    "registered_past_meter": frozenset({"free", "registered"}),
    "subscriber": frozenset({"free", "registered", "subscribers"}),
    "lapsed_subscriber": frozenset({"free", "registered"}),
    "complimentary": frozenset({"free", "registered", "subscribers"}),
    "company_by_domain": frozenset({"free", "registered", "subscribers"}),
    "company_by_ip": frozenset({"free", "registered", "subscribers"}),
    "gift_holder": frozenset({"free"}),
    "staff": frozenset({"free", "registered", "subscribers"}),
}

MAY_PREVIEW = frozenset({"staff"})

BODY_CHANNELS = {
    "page": READS_ON_ARTICLE_PAGE,
    "page_en": READS_ON_ARTICLE_PAGE,
    "print": READS_ON_ARTICLE_PAGE,
    "json": READS_THROUGH_JSON,
}

FEEDS = {
    "rss": lambda: reverse("magazine:feed_rss"),
    "atom": lambda: reverse("magazine:feed_atom"),
    "rubrique_rss": lambda: reverse("magazine:feed_rubrique_rss", kwargs={"slug": "matrice"}),
    "rubrique_atom": lambda: reverse("magazine:feed_rubrique_atom", kwargs={"slug": "matrice"}),
}

VisitorFor = Callable[[str], Visitor]


def test_the_tables_cover_every_persona() -> None:
    for table in (READS_ON_ARTICLE_PAGE, READS_THROUGH_JSON, FINDS_BY_SECRET_WORD):
        assert set(table) == set(PERSONAS)
        assert all(levels <= EVERY_LEVEL and "free" in levels for levels in table.values())


def premium_markers(text: str) -> set[str]:
    """Every marker of a paywalled part (free articles aside) found in ``text``."""
    found = set()
    for level in LEVELS:
        if level == "free":
            continue
        for marker in (secret_marker(level), alt_marker(level), secret_word(level)):
            if marker in text:
                found.add(marker)
    return found


def is_private(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return "private" in cache_control and "no-store" in cache_control


def is_personal(visitor: Visitor, level: str) -> bool:
    """Whether the response depends on who asks: an account, a licensed IP, a gift token."""
    return visitor.persona != "anonymous" and not (
        visitor.persona == "gift_holder" and level == "free"  # nothing to offer: plain visit
    )


def channel_url(world: World, channel: str, level: str) -> str:
    article = world.articles[level]
    if channel == "page":
        return world.url(level)
    if channel == "page_en":
        return world.url(level, language="en")
    if channel == "print":
        return reverse("magazine:article_print", kwargs={"slug": article.slug})
    return reverse("magazine:article_json", kwargs={"slug": article.slug})


class _ElementText(HTMLParser):
    """The text and attribute values inside every element carrying ``css_class``."""

    def __init__(self, css_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.css_class = css_class
        self.depth = 0
        self.count = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth == 0 and self.css_class in classes:
            self.count += 1
            self.depth = 1
        elif self.depth and tag not in {"img", "br", "hr"}:
            self.depth += 1
        if self.depth:
            self.parts.extend(value or "" for _name, value in attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in {"img", "br", "hr"}:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def inside(html: str, css_class: str) -> tuple[int, str]:
    parser = _ElementText(css_class)
    parser.feed(html)
    return parser.count, " ".join(parser.parts)


def news_article_json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    found = [json.loads(block) for block in blocks]
    (article,) = [block for block in found if block.get("@type") == "NewsArticle"]
    return article


# --- article page, its English twin, the print view, the JSON endpoint --------------------------


@pytest.mark.parametrize("channel", list(BODY_CHANNELS))
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_body_channels_show_the_paywalled_part_only_to_entitled_readers(
    persona: str, level: str, channel: str, world: World, visitor_for: VisitorFor
) -> None:
    visitor = visitor_for(persona)
    readable = level in BODY_CHANNELS[channel][persona]

    response = visitor.get(channel_url(world, channel, level), world.articles[level])

    assert response.status_code == 200
    text = response.content.decode()
    assert (secret_marker(level) in text) is readable
    assert (alt_marker(level) in text) is readable
    assert teaser_marker(level) in text
    if channel == "json":
        data = response.json()
        assert data["paywalled"] is not readable
        assert ("body_html" in data) is readable
    elif not readable:
        assert inside(text, "paywalled-content")[0] == 0
        assert ("print__wall" if channel == "print" else 'class="paywall ') in text
    # Anything personal (an account, a licensed IP, a gift token) or premium is never shared.
    if premium_markers(text) or is_personal(visitor, level) or channel in {"print", "json"}:
        assert is_private(response), response.get("Cache-Control")


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_inline_image_alt_text_sits_inside_the_paywalled_part(
    persona: str, level: str, world: World, visitor_for: VisitorFor
) -> None:
    visitor = visitor_for(persona)

    html = visitor.get(world.url(level), world.articles[level]).content.decode()

    count, paywalled_text = inside(html, "paywalled-content")
    if level != "free" and level in READS_ON_ARTICLE_PAGE[persona]:
        assert count == 1
        assert alt_marker(level) in paywalled_text
        assert secret_marker(level) in paywalled_text
    else:
        assert count == 0
    assert (alt_marker(level) in html) is (level in READS_ON_ARTICLE_PAGE[persona])


# --- OpenGraph / Twitter meta and JSON-LD ------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_social_meta_and_structured_data_never_carry_the_paywalled_part(
    persona: str, level: str, world: World, visitor_for: VisitorFor
) -> None:
    visitor = visitor_for(persona)
    article = world.articles[level]

    html = visitor.get(world.url(level), article).content.decode()

    head = html.split("</head>", 1)[0]
    assert secret_marker(level) not in head
    assert alt_marker(level) not in head
    metas = re.findall(r"<meta [^>]*>", head)
    assert any('property="og:description"' in meta for meta in metas)
    assert not any(premium_markers(meta) or teaser_marker(level) in meta for meta in metas)
    data = news_article_json_ld(html)
    assert secret_marker(level) not in json.dumps(data, ensure_ascii=False)
    if level == "free":
        assert data["isAccessibleForFree"] is True
        assert "hasPart" not in data
    else:
        assert data["isAccessibleForFree"] is False
        assert data["hasPart"] == {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywalled-content",
        }


# --- feeds and sitemap -------------------------------------------------------------------------


@pytest.mark.parametrize("feed", list(FEEDS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_feeds_list_every_article_without_its_paywalled_part(
    persona: str, feed: str, world: World, visitor_for: VisitorFor
) -> None:
    visitor = visitor_for(persona)

    response = visitor.get(FEEDS[feed]())

    assert response.status_code == 200
    text = response.content.decode()
    assert premium_markers(text) == set()
    for level in LEVELS:
        assert f"http://testserver{world.url(level)}" in text


@pytest.mark.parametrize("persona", PERSONAS)
def test_sitemap_lists_every_article_and_no_text(
    persona: str, world: World, visitor_for: VisitorFor
) -> None:
    visitor = visitor_for(persona)

    response = visitor.get(reverse("sitemap"))

    text = response.content.decode()
    assert premium_markers(text) == set()
    for level in LEVELS:
        assert f"<loc>http://testserver{world.url(level)}</loc>" in text
        assert teaser_marker(level) not in text


# --- search ------------------------------------------------------------------------------------


def result_paths(html: str) -> set[str]:
    count, _text = inside(html, "search-results")
    if not count:
        return set()
    section = html.split('class="search-results"', 1)[1].split("</ol>", 1)[0]
    return set(re.findall(r'class="card__title"><a href="([^"]+)"', section))


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_search_finds_a_body_word_only_for_readers_of_that_body(
    persona: str, level: str, world: World, visitor_for: VisitorFor
) -> None:
    visitor = visitor_for(persona)

    response = visitor.get(reverse("magazine:search"), q=secret_word(level))

    html = response.content.decode()
    found = world.url(level) in result_paths(html)
    assert found is (level in FINDS_BY_SECRET_WORD[persona])
    # Snippets come from the lead: not even an entitled reader sees body text in results.
    assert secret_marker(level) not in html
    assert alt_marker(level) not in html
    assert is_private(response)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_search_finds_every_article_by_its_teaser_with_a_public_snippet(
    persona: str, level: str, world: World, visitor_for: VisitorFor
) -> None:
    visitor = visitor_for(persona)

    html = visitor.get(reverse("magazine:search"), q=teaser_word(level)).content.decode()

    assert result_paths(html) == {world.url(level)}
    assert world.articles[level].lead.replace("'", "&#x27;") in html
    assert premium_markers(html) == set()


# --- staff preview -----------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_staff_preview_opens_only_for_staff(
    persona: str, level: str, world: World, visitor_for: VisitorFor
) -> None:
    visitor = visitor_for(persona)
    article = world.articles[level]

    response = visitor.get(reverse("magazine:article_preview", args=[article.pk]), article)

    text = response.content.decode()
    if persona in MAY_PREVIEW:
        assert response.status_code == 200
        assert secret_marker(level) in text and alt_marker(level) in text
        assert '<meta name="robots" content="noindex, nofollow">' in text
        assert is_private(response)
    else:
        assert response.status_code == 404
        assert secret_marker(level) not in text and teaser_marker(level) not in text


# --- cached responses --------------------------------------------------------------------------

LOCMEM = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "paywall-leak-matrix",
    }
}


@pytest.mark.parametrize("order", ["persona_then_anonymous", "anonymous_then_persona"])
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_cached_pages_never_cross_from_one_reader_to_another(
    persona: str, level: str, order: str, world: World, visitor_for: VisitorFor
) -> None:
    article = world.articles[level]
    url = world.url(level)
    with override_settings(CACHES=LOCMEM, KIOSQUE_ANONYMOUS_PAGE_CACHE_SECONDS=60):
        # This cache outlives the test (and its rolled-back articles): start it empty.
        cache.clear()
        visitor = visitor_for(persona)
        stranger = Visitor("anonymous", Client(), OUTSIDE_IP)
        if order == "persona_then_anonymous":
            personal = visitor.get(url, article)
            anonymous = [stranger.get(url), stranger.get(url)]
        else:
            anonymous = [stranger.get(url), stranger.get(url)]
            personal = visitor.get(url, article)

    personal_text = personal.content.decode()
    assert (secret_marker(level) in personal_text) is (level in READS_ON_ARTICLE_PAGE[persona])
    for response in anonymous:
        text = response.content.decode()
        assert (secret_marker(level) in text) is (level == "free")
        assert teaser_marker(level) in text
    # The cache is really on: the second anonymous visit is served from it.
    assert anonymous[1][CACHE_HEADER] == "hit"
    assert "public" in anonymous[1]["Cache-Control"]
    if is_personal(visitor, level):
        assert personal.get(CACHE_HEADER) != "hit"
        assert is_private(personal), personal.get("Cache-Control")
    if premium_markers(personal_text):
        assert is_private(personal)
    assert "Cookie" in personal["Vary"]


# --- gift links: one article only ---------------------------------------------------------------


@pytest.mark.parametrize("channel", ["page", "print", "json"])
def test_a_gift_link_opens_its_own_article_and_no_other(
    channel: str, world: World, visitor_for: VisitorFor
) -> None:
    holder = visitor_for("gift_holder")
    registered, subscribers = world.articles["registered"], world.articles["subscribers"]
    token_for_registered = holder.gift_tokens[registered.pk]

    response = holder.client.get(
        channel_url(world, channel, "subscribers"),
        {"cadeau": token_for_registered},
        REMOTE_ADDR=OUTSIDE_IP,
    )

    text = response.content.decode()
    assert secret_marker("subscribers") not in text
    assert teaser_marker("subscribers") in text
    if channel == "json":
        assert response.json()["reason"] == "gift_other_article"
    elif channel == "page":
        assert "paywall__reason--gift_other_article" in text
    assert subscribers.pk != registered.pk


def test_personas_are_what_they_claim(world: World, visitor_for: VisitorFor) -> None:
    """Guards the harness: a persona that silently lost its ground would weaken every row."""
    from paywall.access import article_access

    article = world.articles["subscribers"]
    grounds = {}
    for persona in PERSONAS:
        visitor = visitor_for(persona)
        decision = article_access(
            article=article,
            user=visitor.user,
            client_ip=visitor.remote_addr,
            gift_token=visitor.gift_tokens.get(article.pk),
        )
        grounds[persona] = (decision.ground.value, visitor.authenticated)
    assert grounds == {
        "anonymous": ("none", False),
        "registered_within_meter": ("none", True),
        "registered_past_meter": ("none", True),
        "subscriber": ("subscription", True),
        "lapsed_subscriber": ("none", True),
        "complimentary": ("complimentary", True),
        "company_by_domain": ("licence", True),
        "company_by_ip": ("licence", False),
        "gift_holder": ("gift", False),
        "staff": ("staff", True),
    }
    assert {persona for persona, (_g, auth) in grounds.items() if auth} == AUTHENTICATED
