"""Headless Chromium (Debian's, driven by Playwright), shared by tests/browser and tests/journeys.

One browser per test session: Playwright's sync API runs one event loop per thread, so the
``browser`` fixture is defined once (tests/conftest.py) for every directory that needs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
# Actions and assertions wait this long: a loaded CI machine is slow (never a timing threshold).
TIMEOUT_MS = 15_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A camera that always exists and never asks: the check-in desk's scanner starts it.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        # A failure, never a skip: CI must not pass without the browser tests.
        pytest.fail(
            f"Chromium is required for the browser tests at {CHROMIUM}: "
            "run `make test` (it installs Debian's chromium) or `apt-get install chromium`."
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def new_context(browser: Any, *, phone: bool = False) -> Any:
    """A fresh French browser context (its own cookies): one person at the site."""
    if phone:
        context = browser.new_context(
            locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True
        )
    else:
        context = browser.new_context(locale="fr-FR", viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def screenshot_taker(directory: Path) -> Callable[[Any, str], Path]:
    """A function saving a full-page screenshot of a page as ``directory/<name>.png``."""

    def take(page: Any, name: str) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        return path

    return take
