from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("donnees/", views.data, name="data"),
    path("donnees/telecharger/", views.data_download, name="data_download"),
    path("supprimer/", views.delete, name="delete"),
]
