from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

if TYPE_CHECKING:
    from magazine.models import Article


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        """Articles readers may see: not drafts, publication time reached (scheduling needs no cron)."""
        return self.exclude(status="draft").filter(published_at__lte=timezone.now())

    def with_listing_data(self) -> ArticleQuerySet:
        """Everything a list card shows, in a fixed number of queries."""
        from magazine.models import Author

        return self.select_related("rubrique").prefetch_related(
            Prefetch("authors", queryset=Author.objects.only("id", "name", "slug"))
        )

    def with_page_data(self) -> ArticleQuerySet:
        """Everything the article page shows, in a fixed number of queries."""
        from magazine.models import Article, Author

        return self.select_related("rubrique").prefetch_related(
            Prefetch("authors", queryset=Author.objects.all()),
            "tags",
            Prefetch(
                "related",
                queryset=Article.objects.published()
                .select_related("rubrique")
                .order_by("-published_at"),
            ),
        )
