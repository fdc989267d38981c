from __future__ import annotations

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from magazine.sitemaps import SITEMAPS

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
