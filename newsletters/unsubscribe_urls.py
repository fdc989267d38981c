"""Language-free URLs: the one-click unsubscribe in List-Unsubscribe, and the ESP's webhooks."""

from __future__ import annotations

from django.urls import path

from newsletters import views, webhooks

urlpatterns = [
    path("desabonnement/<str:token>/", views.unsubscribe, name="newsletter_unsubscribe"),
    # anymail's tracking webhook of the configured provider only (newsletters.webhooks).
    path(
        "anymail/<slug:esp>/tracking/",
        webhooks.tracking_webhook,
        name="newsletter_tracking_webhook",
    ),
]
