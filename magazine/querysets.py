from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

if TYPE_CHECKING:  # the name appears only inside the string generic below
    from magazine.models import Article  # noqa: F401


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        """Articles readers may see: not drafts, publication time reached.

        Scheduling needs no cron: a future publication time simply hides the article until then.
        """
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
