"""Offline Stripe for development and tests: a development app, behind the real gateway.

config/settings.py installs it only with ``STRIPE_SIMULATOR`` on, which production settings
refuse; config/urls.py mounts its pages only then. Once installed it hands the gateway its
factory (``apps.StripeSimulatorConfig.ready``); nothing here imports ``stripe``.
"""

from __future__ import annotations

from stripe_simulator.core import (
    CARD_OUTCOMES,
    TEST_CARDS,
    Dunning,
    Simulator,
    SimulatorURLs,
    StripeAPIError,
    shape,
    sign_payload,
)
from stripe_simulator.store import FileStore, MemoryStore

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
