from __future__ import annotations

from django.urls import path

from magazine import feeds, gift_views, views

app_name = "magazine"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.archive, name="archive"),
    path("recherche/", views.search, name="search"),
    path("rubrique/<slug:slug>/", views.rubrique_detail, name="rubrique"),
    path("tag/<slug:slug>/", views.tag_detail, name="tag"),
    path("auteur/<slug:slug>/", views.author_detail, name="author"),
    path("apercu/<int:pk>/", views.article_preview, name="article_preview"),
    path("flux/rss/", feeds.LatestArticlesRss(), name="feed_rss"),
    path("flux/atom/", feeds.LatestArticlesAtom(), name="feed_atom"),
    path("flux/rubrique/<slug:slug>/rss/", feeds.RubriqueRss(), name="feed_rubrique_rss"),
    path("flux/rubrique/<slug:slug>/atom/", feeds.RubriqueAtom(), name="feed_rubrique_atom"),
    # Under the paywall's /abonnement/ (config.urls tries those first): it finds no match there.
    path("abonnement/cadeaux/offrir/<slug:slug>/", gift_views.gift_create, name="gift_create"),
    path("api/articles/<slug:slug>.json", views.article_json, name="article_json"),
    path("<slug:slug>/imprimer/", views.article_print, name="article_print"),
    path("<slug:slug>/", views.article_detail, name="article"),
]
