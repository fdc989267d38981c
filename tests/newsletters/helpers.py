"""Helpers of the newsletter tests: a confirmed subscriber, the premium article's marker."""

from __future__ import annotations

from typing import Any

from newsletters.models import Newsletter, Subscriber
from tests.factories import SubscriberFactory

# A word of the premium article's paywalled part: no newsletter may carry it.
PREMIUM_MARKER = "MARQUEUR-PREMIUM-7Q2"


def subscribe(newsletter: Newsletter, email: str, user: Any = None) -> Subscriber:
    """A confirmed subscription of ``email`` (linked to ``user``'s account if given)."""
    return SubscriberFactory(newsletter=newsletter, email=email, user=user)
