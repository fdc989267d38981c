"""Reads for the public site that need more than one query, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch

from magazine.models import Article, Author, Rubrique, Tag
from magazine.querysets import ArticleQuerySet
from magazine.search import SearchScope, search_articles, search_scope

if TYPE_CHECKING:
    from django.http import HttpRequest

FEATURED_COUNT = 3
LATEST_COUNT = 6
RUBRIQUE_BLOCK_COUNT = 4
READ_ALSO_COUNT = 4


@dataclass(frozen=True)
class HomePage:
    featured: list[Article]
    latest: list[Article]
    # Each rubrique carries ``block_articles``: its latest published articles not shown above.
    rubriques: list[Rubrique]


def listing_articles() -> ArticleQuerySet:
    """Published articles as list cards show them (the body is never loaded for a list)."""
    return Article.objects.published().with_listing_data().defer("body")


def home_page() -> HomePage:
    """Featured articles, then the latest ones, then a block per rubrique (7 queries)."""
    featured = list(listing_articles().filter(featured=True)[:FEATURED_COUNT])
    latest = list(
        listing_articles().exclude(pk__in=[article.pk for article in featured])[:LATEST_COUNT]
    )
    # A sliced Prefetch runs as one windowed query for every rubrique at once. It takes enough
    # rows to fill a block once the articles shown above are dropped: excluding them in SQL
    # would leave the blocks (and their authors' prefetch) empty on a small site, so the query
    # count would change with the amount of content.
    shown = {article.pk for article in featured} | {article.pk for article in latest}
    rubriques = list(
        Rubrique.objects.prefetch_related(
            Prefetch(
                "articles",
                queryset=listing_articles()[: RUBRIQUE_BLOCK_COUNT + FEATURED_COUNT + LATEST_COUNT],
                to_attr="block_articles",
            )
        )
    )
    for rubrique in rubriques:
        # A reader scrolling the home page should not meet the same article twice.
        rubrique.block_articles = [
            article for article in rubrique.block_articles if article.pk not in shown
        ][:RUBRIQUE_BLOCK_COUNT]
    return HomePage(
        featured=featured,
        latest=latest,
        rubriques=[rubrique for rubrique in rubriques if rubrique.block_articles],
    )


def published_article(*, slug: str) -> Article | None:
    """The article readers may see at ``slug``, with everything its page shows."""
    return Article.objects.published().with_page_data().filter(slug=slug).first()


def previewable_article(*, pk: int) -> Article | None:
    """Any article, live or not, for staff preview."""
    return Article.objects.with_page_data().filter(pk=pk).first()


def read_also(article: Article, *, limit: int = READ_ALSO_COUNT) -> list[Article]:
    """The editor's related picks (already prefetched), topped up from the same rubrique."""
    chosen = [related for related in article.related.all() if related.pk != article.pk][:limit]
    # Always one query, even when the editor chose enough, so the page cost does not vary.
    top_up = (
        Article.objects.published()
        .select_related("rubrique")
        .defer("body")
        .filter(rubrique_id=article.rubrique_id)
        .exclude(pk__in=[article.pk, *(related.pk for related in chosen)])[:limit]
    )
    return (chosen + list(top_up))[:limit]


def rubrique_articles(rubrique: Rubrique) -> ArticleQuerySet:
    return listing_articles().filter(rubrique=rubrique)


def tag_articles(tag: Tag) -> ArticleQuerySet:
    return listing_articles().filter(tags=tag)


def author_articles(author: Author) -> ArticleQuerySet:
    return listing_articles().filter(authors=author)


def search_results(query: str, *, request: HttpRequest | None = None) -> ArticleQuerySet:
    """Search as the reader behind ``request`` may: body words only where they may read them."""
    scope = search_scope(request) if request is not None else SearchScope.public()
    return search_articles(query, scope=scope).with_listing_data().defer("body")
