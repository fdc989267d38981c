"""Feeds, search, snippets and the sitemap never let premium text out."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from magazine.models import Article
from magazine.search import SearchScope, search_articles
from tests.magazine.paywall_helpers import MARKER, TEASER_WORD, premium_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return premium_article()


@pytest.mark.parametrize("url_name", ["magazine:feed_rss", "magazine:feed_atom", "sitemap"])
def test_feeds_and_sitemap_never_carry_the_body(
    client: Client, article: Article, url_name: str
) -> None:
    content = client.get(reverse(url_name)).content.decode()

    assert article.slug in content
    assert MARKER not in content
    assert TEASER_WORD not in content


def test_rubrique_feed_never_carries_the_body(client: Client, article: Article) -> None:
    url = reverse("magazine:feed_rubrique_rss", args=[article.rubrique.slug])

    content = client.get(url).content.decode()

    assert article.lead in content
    assert MARKER not in content


def _search(client: Client, query: str) -> str:
    return client.get(reverse("magazine:search"), {"q": query}).content.decode()


def test_anonymous_search_finds_premium_articles_by_title_lead_or_teaser_only(
    client: Client, article: Article
) -> None:
    assert article.get_absolute_url() in _search(client, "Féclaz")
    assert article.get_absolute_url() in _search(client, "altitude")
    assert article.get_absolute_url() in _search(client, TEASER_WORD)
    html = _search(client, MARKER)
    assert article.get_absolute_url() not in html
    assert 'class="search-results"' not in html


def test_snippets_show_the_lead_never_the_body(client: Client, article: Article) -> None:
    html = _search(client, TEASER_WORD)

    assert article.lead in html
    assert "Deuxième paragraphe" not in html


def test_subscriber_finds_premium_articles_by_body_words(
    client: Client, article: Article, subscriber: User
) -> None:
    client.force_login(subscriber)

    html = _search(client, MARKER)

    assert article.get_absolute_url() in html
    assert "no-store" in client.get(reverse("magazine:search"), {"q": MARKER})["Cache-Control"]


def test_registered_reader_does_not_find_premium_articles_by_body_words(
    client: Client, article: Article, reader: User
) -> None:
    client.force_login(reader)

    assert article.get_absolute_url() not in _search(client, MARKER)


def test_free_articles_are_found_by_body_words(client: Client) -> None:
    free = premium_article(access=Article.Access.FREE, slug="libre")

    assert free.get_absolute_url() in _search(client, MARKER)


@pytest.mark.parametrize("using_postgres", [True, False], ids=["postgres", "fallback"])
def test_search_scope_decides_which_bodies_are_searched(
    article: Article, using_postgres: bool
) -> None:
    public = list(search_articles(MARKER, using_postgres=using_postgres))
    teaser = list(search_articles(TEASER_WORD, using_postgres=using_postgres))
    everything = list(
        search_articles(MARKER, using_postgres=using_postgres, scope=SearchScope.everything())
    )

    assert public == []
    assert teaser == [article]
    assert everything == [article]
