"""Every public page costs the same number of SQL queries whatever the amount of content."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from magazine.models import Article, Author, Rubrique, Tag
from tests.factories import ArticleFactory, AuthorFactory, RubriqueFactory, TagFactory, jpeg_upload

pytestmark = pytest.mark.django_db


class Site:
    """A small magazine that can grow: the pages below are measured before and after."""

    def __init__(self) -> None:
        self.rubrique = RubriqueFactory(name="Actualités", slug="actualites")
        self.tag = TagFactory(name="IA", slug="ia")
        self.author = AuthorFactory(name="La rédaction", slug="la-redaction")
        self.article = ArticleFactory(
            title="Les centres de contact et l'IA",
            slug="centres-ia",
            rubrique=self.rubrique,
            authors=[self.author],
            tags=[self.tag],
            featured=True,
            hero_image=jpeg_upload(),
            hero_alt="Un plateau de conseillers",
        )
        # One more article so every home-page list (featured, latest, blocks) is non-empty.
        self.related = ArticleFactory(
            rubrique=self.rubrique, authors=[self.author], tags=[self.tag]
        )
        self.article.related.set([self.related])

    def grow(self, count: int = 14) -> None:
        """Add articles with several authors, tags and related pieces, in several rubriques."""
        rubriques = [RubriqueFactory() for _ in range(3)] + [self.rubrique]
        for n in range(count):
            authors = [self.author, AuthorFactory(), AuthorFactory()]
            tags = [self.tag, TagFactory(), TagFactory()]
            article = ArticleFactory(
                title=f"Un centre de contact de plus, numéro {n}",
                rubrique=rubriques[n % len(rubriques)],
                authors=authors,
                tags=tags,
                featured=n % 3 == 0,
                hero_image=jpeg_upload(f"photo{n}.jpg") if n % 2 else "",
                hero_alt="Photo",
            )
            article.related.set(Article.objects.exclude(pk=article.pk)[:3])
            self.article.related.add(article)


PAGES: dict[str, Callable[[Site], str]] = {
    "home": lambda site: reverse("magazine:home"),
    "article": lambda site: site.article.get_absolute_url(),
    "rubrique": lambda site: site.rubrique.get_absolute_url(),
    "tag": lambda site: site.tag.get_absolute_url(),
    "author": lambda site: site.author.get_absolute_url(),
    "archive": lambda site: reverse("magazine:archive"),
    "search": lambda site: reverse("magazine:search") + "?q=centre",
    "feed": lambda site: reverse("magazine:feed_rss"),
}


def _count_queries(client: Client, url: str) -> int:
    # Warm process-wide caches first (the Sites framework caches the current site, for feeds).
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def no_page_cache(settings):  # type: ignore[no-untyped-def]
    """What a page costs to render: the anonymous page cache would answer with no query at all."""
    settings.KIOSQUE_ANONYMOUS_PAGE_CACHE_SECONDS = 0


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_content(client: Client, page: str, no_page_cache) -> None:  # type: ignore[no-untyped-def]
    site = Site()
    url = PAGES[page](site)
    small = _count_queries(client, url)

    site.grow()
    assert Article.objects.count() >= 16
    assert Author.objects.count() >= 20 and Tag.objects.count() >= 20
    assert Rubrique.objects.count() >= 4

    assert _count_queries(client, url) == small


@pytest.mark.parametrize("page", ["home", "article", "archive"])
def test_pages_stay_within_a_small_query_budget(
    client: Client,
    page: str,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
    no_page_cache,  # type: ignore[no-untyped-def]
) -> None:
    site = Site()
    site.grow()

    with django_assert_max_num_queries(8):
        client.get(PAGES[page](site))


@pytest.mark.parametrize("page", ["home", "rubrique", "tag", "author", "archive"])
def test_anonymous_lists_come_from_the_page_cache_after_the_first_visit(
    client: Client, page: str
) -> None:
    site = Site()
    site.grow()
    url = PAGES[page](site)
    first = client.get(url)

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)

    assert first["X-Kiosque-Cache"] == "miss"
    assert again["X-Kiosque-Cache"] == "hit"
    assert again.content == first.content
    assert len(queries) == 0
