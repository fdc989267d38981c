"""A company reader on the site `make run` serves: signs in with her work address and reads a
subscriber article in full through her employer's licence."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.journeys.embedded import EmbeddedSite
from tests.journeys.helpers import DEMO_PASSWORD, article_paths

pytestmark = [pytest.mark.embedded, pytest.mark.browser]

COMPANY_READER = "lectrice@acme-relation.fr"
ORGANISATION = "Acme Relation"


def test_company_reader_reads_a_subscriber_article_through_the_licence(
    embedded_site: EmbeddedSite, open_page: Any, screenshot: Any
) -> None:
    base = embedded_site.url
    page = open_page()

    # Before signing in: the teaser and the wall, like any visitor.
    subscriber_only = article_paths(page, base, "subscribers")
    assert len(subscriber_only) >= 2, "the demo needs two subscriber articles"
    path, other_path = subscriber_only[-1], subscriber_only[0]
    page.goto(f"{base}{path}")
    expect(page.locator(".paywall")).to_be_visible()
    expect(page.locator(".paywalled-content")).to_have_count(0)

    # Signed in: the whole article, and a note saying whose licence opens it.
    page.locator(".paywall__actions a.button--ghost").click()
    page.locator("#id_login").fill(COMPANY_READER)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    screenshot(page, "company-01-login")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{base}{path}")
    expect(page.locator(".paywall")).to_have_count(0)
    expect(page.locator(".article__body .paywalled-content")).to_be_visible()
    expect(page.locator(".access-note--licence")).to_contain_text(ORGANISATION)
    screenshot(page, "company-02-full-article")

    # Another subscriber article, straight away: the seat is hers now, no meter involved.
    page.goto(f"{base}{other_path}")
    expect(page.locator(".article__body .paywalled-content")).to_be_visible()
    expect(page.locator(".access-note--licence")).to_contain_text(ORGANISATION)
    screenshot(page, "company-03-second-article")
