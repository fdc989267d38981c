from __future__ import annotations

# Stripe simulator fixtures (tests/subscriptions/test_stripe_*, test_webhooks*, test_checkout*).
from tests.subscriptions.stripe_fixtures import stripe_sim  # noqa: F401
