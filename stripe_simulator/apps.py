from __future__ import annotations

from django.apps import AppConfig


class StripeSimulatorConfig(AppConfig):
    """The offline Stripe and its stand-ins for Stripe's hosted pages (development and tests)."""

    name = "stripe_simulator"
    verbose_name = "Stripe simulator"

    def ready(self) -> None:
        from stripe_simulator.site import build_simulator
        from subscriptions import stripe_gateway

        # The gateway builds it on first use, and only while settings.STRIPE_SIMULATOR is on.
        stripe_gateway.simulator_factory_set(build_simulator)
