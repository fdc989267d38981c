"""Language-free URLs: the one-click unsubscribe in List-Unsubscribe, and anymail's webhooks."""

from __future__ import annotations

from django.urls import include, path

from newsletters import views

urlpatterns = [
    path("desabonnement/<str:token>/", views.unsubscribe, name="newsletter_unsubscribe"),
    path("anymail/", include("anymail.urls")),
]
