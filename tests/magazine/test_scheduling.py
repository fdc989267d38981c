"""Scheduled articles appear at their time, without any cron job; drafts never do."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import translation

from magazine.models import Article
from tests.factories import ArticleFactory

PARIS = ZoneInfo("Europe/Paris")
RELEASE = datetime(2025, 10, 23, 11, 0, tzinfo=PARIS)


def test_scheduled_article_appears_at_its_publication_time(db: None) -> None:
    with time_machine.travel(RELEASE - timedelta(days=1), tick=False):
        article = ArticleFactory(status=Article.Status.SCHEDULED, published_at=RELEASE)

        assert not Article.objects.published().filter(pk=article.pk).exists()
        with translation.override("en"):
            assert article.display_status == "Scheduled"
        assert not article.is_live

    with time_machine.travel(RELEASE - timedelta(seconds=1), tick=False):
        assert not Article.objects.published().filter(pk=article.pk).exists()

    with time_machine.travel(RELEASE, tick=False):
        assert Article.objects.published().filter(pk=article.pk).exists()

    with time_machine.travel(RELEASE + timedelta(days=30), tick=False):
        article.refresh_from_db()
        assert Article.objects.published().filter(pk=article.pk).exists()
        assert article.is_live


def test_draft_never_appears_whatever_its_time(db: None) -> None:
    with time_machine.travel(RELEASE - timedelta(days=1), tick=False):
        draft = ArticleFactory(status=Article.Status.DRAFT, published_at=RELEASE)

    for moment in (RELEASE - timedelta(hours=1), RELEASE, RELEASE + timedelta(days=365)):
        with time_machine.travel(moment, tick=False):
            assert not Article.objects.published().filter(pk=draft.pk).exists()
            assert not draft.is_live


def test_published_article_with_a_future_time_waits_for_it(db: None) -> None:
    with time_machine.travel(RELEASE - timedelta(hours=2), tick=False):
        article = ArticleFactory(status=Article.Status.PUBLISHED, published_at=RELEASE)
        assert not Article.objects.published().filter(pk=article.pk).exists()

    with time_machine.travel(RELEASE + timedelta(minutes=1), tick=False):
        assert Article.objects.published().filter(pk=article.pk).exists()


def test_article_without_publication_time_is_never_listed(db: None) -> None:
    article = ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)

    assert not Article.objects.published().filter(pk=article.pk).exists()
