"""Mounted outside i18n_patterns: Stripe posts to one fixed address."""

from __future__ import annotations

from django.urls import path

from subscriptions.webhooks import stripe_webhook

urlpatterns = [
    path("webhook/", stripe_webhook, name="stripe_webhook"),
]
