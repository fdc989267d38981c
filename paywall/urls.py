"""Mounted under /abonnement/ with billing's; offering an article is the magazine's URL."""

from __future__ import annotations

from django.urls import path

from paywall import views

app_name = "paywall"

urlpatterns = [
    path("cadeaux/", views.gift_links, name="gift_links"),
    path("cadeaux/<int:pk>/", views.gift_detail, name="gift_detail"),
    path("cadeaux/<int:pk>/retirer/", views.gift_revoke, name="gift_revoke"),
    path("licences/", views.licences, name="licences"),
    path("licences/<int:pk>/", views.licence_seats, name="licence_seats"),
]
