"""Article search: PostgreSQL full-text search in French, a plain fallback on SQLite.

Search obeys the paywall. A reader finds an article by words of its body only when the paywall
lets them read that body (``SearchScope``, from ``paywall.access.entitlement``). For the
other articles the searchable document is the public one: title, lead and teaser. The teaser is
cut by ``paywall.teaser.split_body`` (HTML parsing), which SQL cannot do, so it is matched in a
second step: premium articles whose full text matches are the candidates (at most
``TEASER_CANDIDATES``, newest first), and only those whose title + lead + teaser match too are
kept. A body word past the teaser therefore never finds a premium article for a reader without
access, and snippets come from the lead only.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, Q, TextField, Value, When
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from core import network
from magazine.models import Article
from magazine.querysets import ArticleQuerySet
from paywall.access import PREVIEW_PERMISSION, entitlement
from paywall.teaser import split_body

if TYPE_CHECKING:
    from django.http import HttpRequest

MAX_QUERY_LENGTH = 200
SNIPPET_WORDS = 40
TEASER_CANDIDATES = 200
_ALL_ACCESS = frozenset(Article.Access.values)
# Where one block ends and the next begins. Stripping tags alone would glue the last word of a
# paragraph to the first of the next ("forum.Deuxième"), which PostgreSQL parses as one host
# name: neither word could then be found.
_BLOCK_BOUNDARY = re.compile(
    r"<(?=/?(?:p|h[1-6]|li|ul|ol|blockquote|figure|figcaption|table|thead|tbody|tr|th|td|br|hr)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SearchScope:
    """The access levels whose body this reader may search (and read)."""

    body_access: frozenset[str]

    @classmethod
    def public(cls) -> SearchScope:
        return cls(frozenset({Article.Access.FREE.value}))

    @classmethod
    def registered(cls) -> SearchScope:
        return cls(frozenset({Article.Access.FREE.value, Article.Access.REGISTERED.value}))

    @classmethod
    def everything(cls) -> SearchScope:
        return cls(_ALL_ACCESS)


def search_scope(request: HttpRequest) -> SearchScope:
    """What the paywall opens to this reader on every article (the meter opens nothing here)."""
    from magazine import page_cache

    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    if user is not None and authenticated and user.is_staff and user.has_perm(PREVIEW_PERMISSION):
        return SearchScope.everything()
    client_ip = network.client_ip(request)
    if not authenticated and not page_cache.ip_may_hold_licence(client_ip):
        return SearchScope.public()  # no query: nothing can entitle this visitor
    granted, _refusal = entitlement(user=user, client_ip=client_ip, now=timezone.now())
    if granted is not None:
        return SearchScope.everything()
    return SearchScope.registered() if authenticated else SearchScope.public()


def teaser_text(article_body: str) -> str:
    return html.unescape(strip_tags(_BLOCK_BOUNDARY.sub(" <", split_body(article_body)[0])))


def normalize_query(raw: str | None) -> str:
    """Collapse whitespace and bound the length of what a reader typed."""
    # PostgreSQL refuses NUL in text: "%00" in the address would otherwise be a 500.
    return " ".join((raw or "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def search_articles(
    query: str, *, using_postgres: bool | None = None, scope: SearchScope | None = None
) -> ArticleQuerySet:
    """Published articles matching ``query``, best matches first (empty query: no results).

    Without a ``scope`` only free bodies are searched (the anonymous reader's view).
    """
    query = normalize_query(query)
    articles = Article.objects.published()
    if not query:
        return articles.none()
    scope = scope or SearchScope.public()
    if using_postgres is None:
        using_postgres = settings.USING_POSTGRES
    if using_postgres:
        return _postgres_search(articles, query, scope)
    return _fallback_search(articles, query, scope)


def _open_body(scope: SearchScope) -> Case:
    return Case(
        When(access__in=sorted(scope.body_access), then=F("body")),
        default=Value(""),
        output_field=TextField(),
    )


def _postgres_search(articles: ArticleQuerySet, query: str, scope: SearchScope) -> ArticleQuerySet:
    vector = (
        SearchVector("title", weight="A", config="french")
        + SearchVector("lead", weight="B", config="french")
        + SearchVector(_open_body(scope), weight="C", config="french")
    )
    search_query = SearchQuery(query, search_type="websearch", config="french")
    condition = Q(search=search_query)
    teaser_ids = _postgres_teaser_matches(articles, query, scope)
    if teaser_ids:
        condition |= Q(pk__in=teaser_ids)
    return (
        articles.annotate(search=vector, rank=SearchRank(vector, search_query))
        .filter(condition)
        .order_by("-rank", "-published_at", "-id")
    )


def _teaser_candidates(
    articles: ArticleQuerySet, scope: SearchScope, matching: ArticleQuerySet
) -> list[tuple[int, str]]:
    """(id, title + lead + teaser) of closed articles whose full text matches."""
    if scope.body_access >= _ALL_ACCESS:
        return []
    rows = matching.exclude(access__in=sorted(scope.body_access)).order_by("-published_at", "-id")
    return [
        (pk, f"{title}\n{lead}\n{teaser_text(body)}")
        for pk, title, lead, body in rows.values_list("pk", "title", "lead", "body")[
            :TEASER_CANDIDATES
        ]
    ]


def _postgres_teaser_matches(
    articles: ArticleQuerySet, query: str, scope: SearchScope
) -> list[int]:
    full = (
        SearchVector("title", config="french")
        + SearchVector("lead", config="french")
        + SearchVector("body", config="french")
    )
    search_query = SearchQuery(query, search_type="websearch", config="french")
    candidates = _teaser_candidates(
        articles, scope, articles.annotate(full=full).filter(full=search_query)
    )
    if not candidates:
        return []
    rows = ", ".join(["(%s::bigint, %s::text)"] * len(candidates))
    params: list[int | str] = [value for candidate in candidates for value in candidate]
    params.append(query)
    # Only placeholders are formatted into the statement; every value travels as a parameter.
    sql = (
        f"SELECT v.id FROM (VALUES {rows}) AS v(id, doc) "  # noqa: S608
        "WHERE to_tsvector('french', v.doc) @@ websearch_to_tsquery('french', %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _fallback_search(articles: ArticleQuerySet, query: str, scope: SearchScope) -> ArticleQuerySet:
    # No stemming here: every word must appear in the title, the lead or a body this reader
    # may read (or, for the other articles, in their teaser: checked below).
    words = query.split()
    matching = articles
    everywhere = articles
    body_open = Q(access__in=sorted(scope.body_access))
    for word in words:
        matching = matching.filter(
            Q(title__icontains=word)
            | Q(lead__icontains=word)
            | (body_open & Q(body__icontains=word))
        )
        everywhere = everywhere.filter(
            Q(title__icontains=word) | Q(lead__icontains=word) | Q(body__icontains=word)
        )
    teaser_ids = [
        pk
        for pk, text in _teaser_candidates(articles, scope, everywhere)
        if all(word.lower() in text.lower() for word in words)
    ]
    return articles.filter(Q(pk__in=matching.values("pk")) | Q(pk__in=teaser_ids)).order_by(
        "-published_at", "-id"
    )


def search_snippet(article: Article) -> str:
    """The text shown under a search result.

    Built from the lead only, never from the body: the body may be reserved for subscribers, and
    a result page must not leak it. This is the one place to change if that rule changes.
    """
    return Truncator(article.lead).words(SNIPPET_WORDS, truncate="…")
