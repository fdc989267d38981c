"""The simulator wired to this site: its plans as Stripe prices, its pages and its webhook."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from core.site import site_url
from stripe_simulator.core import Simulator, SimulatorURLs
from stripe_simulator.delivery import HTTPDeliverer, InProcessDeliverer
from stripe_simulator.store import FileStore, MemoryStore
from subscriptions import stripe_gateway
from subscriptions.models import Plan


def _price_lookup(price_id: str) -> dict[str, Any] | None:
    # The simulator's "dashboard": every plan configured in the admin exists as a Stripe price.
    plan = Plan.objects.filter(stripe_price_id=price_id).first()
    if plan is None:
        return None
    return {
        "unit_amount": plan.amount,
        "currency": plan.currency,
        "nickname": plan.name,
        "recurring": {
            "interval": plan.interval,
            "interval_count": plan.interval_count,
            "trial_period_days": plan.trial_days or None,
        },
    }


def _simulator_urls() -> SimulatorURLs:
    marker = "SIMULATOR-ID"
    try:
        with translation.override(settings.LANGUAGE_CODE):
            pages = {
                name: reverse(f"stripe_simulator:{name}", args=[marker]).replace(marker, "{id}")
                for name in ("checkout", "portal", "invoice")
            }
    except NoReverseMatch:  # the pages are not mounted (the app is not installed)
        return SimulatorURLs()
    return SimulatorURLs(**pages, base=site_url)


def build_simulator(**overrides: Any) -> Simulator:
    """A simulator wired to this site (its prices, pages and webhook endpoint)."""
    options = dict(overrides)
    if "store" not in options:
        state_file = settings.STRIPE_SIMULATOR_STATE_FILE
        options["store"] = FileStore(state_file) if state_file else MemoryStore()
    if "deliverer" not in options:
        options["deliverer"] = (
            HTTPDeliverer(settings.SITE_URL)
            if settings.STRIPE_SIMULATOR_DELIVERY == "http"
            else InProcessDeliverer()
        )
    options.setdefault("webhook_secret", settings.STRIPE_WEBHOOK_SECRET)
    options.setdefault("price_lookup", _price_lookup)
    if "urls" not in options:
        options["urls"] = _simulator_urls()
    return Simulator(**options)


def current() -> Simulator:
    """The simulator behind the gateway (raises ImproperlyConfigured when it is off)."""
    return cast(Simulator, stripe_gateway.simulator())
