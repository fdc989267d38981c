"""Journeys in the embedded mode: one `make run` server for all of them, Chromium against it.

The pytest process never touches a database here (no ``db`` fixture): everything goes through
the browser, the console email the server prints, and read-only looks into its SQLite file.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import SCREENSHOTS, new_context, screenshot_taker
from tests.journeys.embedded import EmbeddedSite, make_run


# Package scope: the server stops after the last journey, not at the end of the whole suite.
@pytest.fixture(scope="package")
def embedded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedSite]:
    # This run's screenshots only: a stale failure picture would mislead.
    shutil.rmtree(SCREENSHOTS / "journeys", ignore_errors=True)
    with make_run(tmp_path_factory.mktemp("embedded-site")) as site:
        yield site


@pytest.fixture
def open_page(
    request: pytest.FixtureRequest, browser: Any, embedded_site: EmbeddedSite
) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh context (its own cookies): one more person at the site."""
    contexts: list[Any] = []

    def open_one(*, phone: bool = False) -> Any:
        contexts.append(new_context(browser, phone=phone))
        return contexts[-1].new_page()

    yield open_one
    if getattr(request.node, "journey_failed", False):
        # What each person had on screen when the journey broke.
        take = screenshot_taker(SCREENSHOTS / "journeys" / "failures")
        for number, context in enumerate(contexts, start=1):
            for tab, page in enumerate(context.pages, start=1):
                take(page, f"{request.node.name}-person{number}-tab{tab}")
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot under test-artifacts/screenshots/journeys/."""
    return screenshot_taker(SCREENSHOTS / "journeys")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    site = getattr(item, "funcargs", {}).get("embedded_site")
    if report.failed and site is not None:
        item.journey_failed = True  # type: ignore[attr-defined]
        report.sections.append(("make run output", site.log_tail()))
    return report
