"""Test plumbing for every test; the personas live in tests/personas.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import translation

# One Chromium for tests/browser and tests/journeys (Playwright allows one per thread).
pytest_plugins = ["tests.personas", "tests.chromium"]


@pytest.fixture(autouse=True)
def _no_language_leak() -> Iterator[None]:
    """A request to /en/ leaves English active in the thread; the next test must not inherit it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: cached pages and licence ranges never leak across."""
    cache.clear()
    yield
    cache.clear()
