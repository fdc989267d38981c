"""Mounted under /abonnement/simulateur/ by config/urls.py, only where the app is installed."""

from __future__ import annotations

from django.urls import path

from stripe_simulator import views

app_name = "stripe_simulator"

urlpatterns = [
    path("portail/<str:session_id>/", views.portal, name="portal"),
    path("facture/<str:invoice_id>/", views.invoice, name="invoice"),
    path("<str:session_id>/", views.checkout, name="checkout"),
]
