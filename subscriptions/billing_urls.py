from __future__ import annotations

from django.urls import path

from subscriptions import billing_views

app_name = "billing"

urlpatterns = [
    path("", billing_views.plans, name="plans"),
    path("compte/", billing_views.account, name="account"),
    path("souscrire/<int:plan_id>/", billing_views.checkout, name="checkout"),
    path("confirmation/", billing_views.checkout_return, name="checkout_return"),
    path("portail/", billing_views.portal, name="portal"),
    # Stand-ins for Stripe's hosted pages; they answer 404 unless the simulator is on.
    path(
        "simulateur/portail/<str:session_id>/",
        billing_views.simulator_portal,
        name="simulator_portal",
    ),
    path(
        "simulateur/facture/<str:invoice_id>/",
        billing_views.simulator_invoice,
        name="simulator_invoice",
    ),
    path(
        "simulateur/<str:session_id>/",
        billing_views.simulator_checkout,
        name="simulator_checkout",
    ),
]
