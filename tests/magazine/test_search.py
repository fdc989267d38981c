"""Search: French full-text search on PostgreSQL, the SQLite fallback, and what results show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from magazine.models import Article
from magazine.search import search_articles, search_snippet
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus() -> dict[str, Article]:
    return {
        "centre": ArticleFactory(
            title="Un centre de contact ouvre à Lille",
            lead="Trois cents conseillers recrutés.",
            body="<p>Le site accueillera des activités de BPO.</p>",
        ),
        "crm": ArticleFactory(
            title="Le marché du CRM se consolide",
            lead="Les éditeurs cherchent des relais de croissance.",
            body="<p>Les rachats se multiplient chez les éditeurs de logiciels.</p>",
        ),
        "body_only": ArticleFactory(
            title="Portrait d'un fondateur",
            lead="Entretien au long cours.",
            body="<p>Il a travaillé dans un centre d'appels pendant dix ans.</p>",
        ),
        "draft": ArticleFactory(
            title="Brouillon sur les centres de contact",
            status=Article.Status.DRAFT,
        ),
        "scheduled": ArticleFactory(
            title="Demain : les centres de contact",
            status=Article.Status.SCHEDULED,
            published_at=timezone.now() + timedelta(days=1),
        ),
    }


@pytest.mark.postgres
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="full-text search needs PostgreSQL")
def test_french_stemming_finds_plural_and_singular(corpus: dict[str, Article]) -> None:
    results = list(search_articles("centres"))

    assert corpus["centre"] in results
    assert corpus["body_only"] in results
    assert corpus["crm"] not in results


@pytest.mark.postgres
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="full-text search needs PostgreSQL")
def test_title_matches_rank_above_body_matches(corpus: dict[str, Article]) -> None:
    results = list(search_articles("centre"))

    assert results.index(corpus["centre"]) < results.index(corpus["body_only"])


@pytest.mark.postgres
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="full-text search needs PostgreSQL")
def test_websearch_syntax_excludes_words(corpus: dict[str, Article]) -> None:
    results = list(search_articles("centre -Lille"))

    assert corpus["centre"] not in results
    assert corpus["body_only"] in results


def test_unpublished_articles_are_never_found(corpus: dict[str, Article]) -> None:
    for using_postgres in {True, False} if settings.USING_POSTGRES else {False}:
        results = list(search_articles("contact", using_postgres=using_postgres))
        assert corpus["centre"] in results
        assert corpus["draft"] not in results
        assert corpus["scheduled"] not in results


def test_fallback_requires_every_word_in_title_lead_or_body(corpus: dict[str, Article]) -> None:
    assert list(search_articles("centre Lille", using_postgres=False)) == [corpus["centre"]]
    assert set(search_articles("centre", using_postgres=False)) == {
        corpus["centre"],
        corpus["body_only"],
    }
    assert list(search_articles("éditeurs RACHATS", using_postgres=False)) == [corpus["crm"]]
    assert list(search_articles("centre introuvable", using_postgres=False)) == []


def test_empty_query_finds_nothing(corpus: dict[str, Article]) -> None:
    assert list(search_articles("   ")) == []
    assert list(search_articles("", using_postgres=False)) == []


def test_snippet_never_comes_from_the_body() -> None:
    article = ArticleFactory(
        lead="Le chapeau, gratuit.", body="<p>Le corps payant, réservé aux abonnés.</p>"
    )

    assert search_snippet(article) == "Le chapeau, gratuit."


def test_search_page_shows_paginated_results_without_body_text(
    client: Client,
    corpus: dict[str, Article],
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.KIOSQUE_ARTICLES_PER_PAGE = 1

    response = client.get(reverse("magazine:search"), {"q": "centre"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card card--result') == 1
    assert "pendant dix ans" not in html
    assert "accueillera des activités" not in html
    assert "page=2" in html and "q=centre" in html
    second = client.get(reverse("magazine:search"), {"q": "centre", "page": 2}).content.decode()
    assert second.count('class="card card--result') == 1
    assert "pendant dix ans" not in second


def test_search_page_without_query_shows_the_form(client: Client) -> None:
    response = client.get(reverse("magazine:search"))

    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()
    assert 'class="card' not in response.content.decode()


def test_search_page_without_results_says_so(client: Client, corpus: dict[str, Article]) -> None:
    response = client.get(reverse("magazine:search"), {"q": "zzzyx"})

    assert response.status_code == 200
    assert "zzzyx" in response.content.decode()
    assert 'class="card' not in response.content.decode()


def test_search_query_is_escaped(client: Client) -> None:
    response = client.get(reverse("magazine:search"), {"q": "<script>alert(1)</script>"})

    assert "<script>alert(1)</script>" not in response.content.decode()
