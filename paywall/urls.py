from __future__ import annotations

from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("cadeaux/", views.gift_links, name="gift_links"),
    path("cadeaux/offrir/<slug:slug>/", views.gift_create, name="gift_create"),
    path("cadeaux/<int:pk>/", views.gift_detail, name="gift_detail"),
    path("cadeaux/<int:pk>/retirer/", views.gift_revoke, name="gift_revoke"),
    path("licences/", views.licences, name="licences"),
    path("licences/<int:pk>/", views.licence_seats, name="licence_seats"),
]
