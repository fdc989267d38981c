"""Offline Stripe for development and tests; ``subscriptions.stripe_gateway`` loads it lazily.

Production settings refuse it (config/settings.py), and nothing here imports ``stripe``.
"""

from __future__ import annotations

from subscriptions.stripe_simulator.core import (
    CARD_OUTCOMES,
    TEST_CARDS,
    Dunning,
    Simulator,
    SimulatorURLs,
    StripeAPIError,
    shape,
    sign_payload,
)
from subscriptions.stripe_simulator.store import FileStore, MemoryStore

__all__ = [
    "CARD_OUTCOMES",
    "TEST_CARDS",
    "Dunning",
    "FileStore",
    "MemoryStore",
    "Simulator",
    "SimulatorURLs",
    "StripeAPIError",
    "shape",
    "sign_payload",
]
