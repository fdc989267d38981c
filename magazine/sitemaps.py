"""sitemap.xml: articles, rubriques, tags, authors and the home page, on the site's base URL."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from core.site import site_url
from magazine.models import Article, Author, Rubrique, Tag


class SiteUrlSitemap(Sitemap):
    """Builds URLs from core.site.site_url(), like canonical links, not from the Sites framework."""

    @property
    def protocol(self) -> str:  # type: ignore[override]
        return urlsplit(site_url()).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(site_url()).netloc


class HomeSitemap(SiteUrlSitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self) -> list[str]:
        return ["magazine:home", "magazine:archive"]

    def location(self, item: str) -> str:  # type: ignore[override]
        return reverse(item)


class ArticleSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self) -> QuerySet[Article]:
        return Article.objects.published().only("slug", "updated_at", "published_at")

    def lastmod(self, item: Article) -> datetime:
        return item.updated_at


class RubriqueSitemap(SiteUrlSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> QuerySet[Rubrique]:
        return Rubrique.objects.only("slug")


class TagSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self) -> QuerySet[Tag]:
        return Tag.objects.filter(articles__in=Article.objects.published()).distinct().only("slug")


class AuthorSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self) -> QuerySet[Author]:
        return Author.objects.only("slug")


SITEMAPS: dict[str, type[Sitemap]] = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "rubriques": RubriqueSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
