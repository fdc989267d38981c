from __future__ import annotations

# The offline Stripe behind the real gateway (tests/faults/test_stripe_outage.py).
from tests.subscriptions.stripe_fixtures import stripe_sim  # noqa: F401
