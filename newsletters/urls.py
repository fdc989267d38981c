from __future__ import annotations

from django.urls import path

from newsletters import views

app_name = "newsletters"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("mes-lettres/", views.preferences, name="preferences"),
]
