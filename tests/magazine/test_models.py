"""Rules about one article: status shown to editors, SEO fallbacks, sanitised body."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation

from magazine.models import Article
from tests.factories import ArticleFactory, AuthorFactory, RubriqueFactory


@pytest.mark.parametrize(
    ("status", "offset", "shown"),
    [
        (Article.Status.DRAFT, None, "Draft"),
        (Article.Status.DRAFT, timedelta(days=-1), "Draft"),
        (Article.Status.SCHEDULED, timedelta(days=1), "Scheduled"),
        (Article.Status.SCHEDULED, timedelta(days=-1), "Published"),
        (Article.Status.PUBLISHED, timedelta(minutes=-1), "Published"),
        (Article.Status.PUBLISHED, timedelta(days=1), "Scheduled"),
    ],
)
def test_display_status_says_what_readers_see(
    status: str, offset: timedelta | None, shown: str
) -> None:
    article = Article(
        status=status, published_at=timezone.now() + offset if offset is not None else None
    )

    with translation.override("en"):
        assert article.display_status == shown


def test_seo_fields_fall_back_to_title_and_lead() -> None:
    article = Article(title="Volubile.ai triple son ARR", lead="x" * 300)

    assert article.meta_title == "Volubile.ai triple son ARR"
    assert article.meta_description == "x" * 160

    article.seo_title = "Volubile.ai : +250 % d'ARR"
    article.seo_description = "Les agents vocaux IA en forte croissance."
    assert article.meta_title == "Volubile.ai : +250 % d'ARR"
    assert article.meta_description == "Les agents vocaux IA en forte croissance."


def test_body_is_sanitised_on_every_save(db: None) -> None:
    article = ArticleFactory(body="<p>Texte</p><script>alert(1)</script>")

    article.body += '<img src="x" onerror="alert(1)">'
    article.save()

    article.refresh_from_db()
    assert article.body == '<p>Texte</p><img src="x">'


def test_slug_is_unique(db: None) -> None:
    ArticleFactory(slug="comete-signe")

    with pytest.raises(IntegrityError):
        ArticleFactory(slug="comete-signe")


def test_rubrique_in_use_cannot_be_deleted(db: None) -> None:
    from django.db.models import ProtectedError

    rubrique = RubriqueFactory()
    ArticleFactory(rubrique=rubrique, authors=[AuthorFactory()])

    with pytest.raises(ProtectedError):
        rubrique.delete()
