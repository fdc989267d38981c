"""RSS and Atom feeds, site-wide and per rubrique."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from core.urls import absolute_url
from magazine.models import Article, Rubrique, Tag
from magazine.querysets import ArticleQuerySet
from magazine.selectors import listing_articles

FEED_SIZE = 30


def _feed_items(queryset: ArticleQuerySet) -> list[Article]:
    return list(
        queryset.prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))[
            :FEED_SIZE
        ]
    )


class LatestArticlesRss(Feed):
    """The latest articles: title, link, lead, date, authors and categories (never the body).

    Every link is absolute on settings.SITE_URL, like canonical links, so the Sites framework's
    domain never leaks into feeds.
    """

    def title(self) -> str:
        return settings.SITE_NAME

    def link(self) -> str:
        return absolute_url(reverse("magazine:home"))

    def description(self) -> str:
        return _("The latest articles from %(site)s") % {"site": settings.SITE_NAME}

    def feed_url(self) -> str:
        return absolute_url(reverse("magazine:feed_rss"))

    def items(self) -> list[Article]:
        return _feed_items(listing_articles())

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.lead

    def item_link(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(author.name for author in item.authors.all())

    def item_categories(self, item: Article) -> list[str]:
        return [item.rubrique.name, *(tag.name for tag in item.tags.all())]


class LatestArticlesAtom(LatestArticlesRss):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()

    def feed_url(self) -> str:
        return absolute_url(reverse("magazine:feed_atom"))


class RubriqueRss(LatestArticlesRss):
    def get_object(self, request: HttpRequest, slug: str) -> Rubrique:  # type: ignore[override]
        return get_object_or_404(Rubrique, slug=slug)

    def title(self, obj: Rubrique) -> str:  # type: ignore[override]
        return f"{settings.SITE_NAME} — {obj.name}"

    def link(self, obj: Rubrique) -> str:  # type: ignore[override]
        return absolute_url(obj.get_absolute_url())

    def description(self, obj: Rubrique) -> str:  # type: ignore[override]
        return obj.description or _("The latest articles in %(rubrique)s") % {"rubrique": obj.name}

    def feed_url(self, obj: Rubrique) -> str:  # type: ignore[override]
        return absolute_url(reverse("magazine:feed_rubrique_rss", kwargs={"slug": obj.slug}))

    def items(self, obj: Rubrique) -> list[Article]:  # type: ignore[override]
        return _feed_items(listing_articles().filter(rubrique=obj))


class RubriqueAtom(RubriqueRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: Rubrique) -> str:
        return self.description(obj)

    def feed_url(self, obj: Rubrique) -> str:  # type: ignore[override]
        return absolute_url(reverse("magazine:feed_rubrique_atom", kwargs={"slug": obj.slug}))
