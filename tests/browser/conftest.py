"""Headless Chromium (tests/chromium.py) against pytest-django's live server."""

from __future__ import annotations

import os

import pytest

from tests.chromium import SCREENSHOTS, new_context, screenshot_taker

# Playwright's sync API keeps an event loop running in this thread; the live server and the
# test's ORM calls are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = new_context(browser)
    yield context.new_page()
    context.close()


@pytest.fixture
def new_page(browser, live_server):  # type: ignore[no-untyped-def]
    """Open a desktop page in a fresh context (its own cookies): a second person at the site."""
    contexts = []

    def open_page():  # type: ignore[no-untyped-def]
        contexts.append(new_context(browser))
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(browser, live_server):  # type: ignore[no-untyped-def]
    context = new_context(browser, phone=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot():  # type: ignore[no-untyped-def]
    """Save a full-page screenshot under test-artifacts/screenshots/ and return its path."""
    return screenshot_taker(SCREENSHOTS)
