"""Article search: PostgreSQL full-text search in French, a plain fallback on SQLite."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Q
from django.utils.text import Truncator

from magazine.models import Article
from magazine.querysets import ArticleQuerySet

MAX_QUERY_LENGTH = 200
SNIPPET_WORDS = 40


def normalize_query(raw: str | None) -> str:
    """Collapse whitespace and bound the length of what a reader typed."""
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def search_articles(query: str, *, using_postgres: bool | None = None) -> ArticleQuerySet:
    """Published articles matching ``query``, best matches first (empty query: no results)."""
    query = normalize_query(query)
    articles = Article.objects.published()
    if not query:
        return articles.none()
    if using_postgres is None:
        using_postgres = settings.USING_POSTGRES
    if using_postgres:
        return _postgres_search(articles, query)
    return _fallback_search(articles, query)


def _postgres_search(articles: ArticleQuerySet, query: str) -> ArticleQuerySet:
    vector = (
        SearchVector("title", weight="A", config="french")
        + SearchVector("lead", weight="B", config="french")
        + SearchVector("body", weight="C", config="french")
    )
    search_query = SearchQuery(query, search_type="websearch", config="french")
    return (
        articles.annotate(search=vector, rank=SearchRank(vector, search_query))
        .filter(search=search_query)
        .order_by("-rank", "-published_at", "-id")
    )


def _fallback_search(articles: ArticleQuerySet, query: str) -> ArticleQuerySet:
    # No stemming here: every word must appear somewhere in the title, lead or body.
    for word in query.split():
        articles = articles.filter(
            Q(title__icontains=word) | Q(lead__icontains=word) | Q(body__icontains=word)
        )
    return articles.order_by("-published_at", "-id")


def search_snippet(article: Article) -> str:
    """The text shown under a search result.

    Built from the lead only, never from the body: the body may be reserved for subscribers, and
    a result page must not leak it. This is the one place to change if that rule changes.
    """
    return Truncator(article.lead).words(SNIPPET_WORDS, truncate="…")
