"""A newcomer on the site `make run` serves: reads for free, meets the wall, signs up, uses the
monthly meter, subscribes through the Stripe simulator on this port and reads in full."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from paywall.models import PaywallSettings
from tests.journeys.embedded import EmbeddedSite, message_text, recipients
from tests.journeys.helpers import article_paths

pytestmark = [pytest.mark.embedded, pytest.mark.browser]

EMAIL = "claire.dumas@exemple.fr"
PASSWORD = "Lecture-du-soir-2026"


def _meter_limit(site: EmbeddedSite) -> int:
    rows = site.query("SELECT meter_limit FROM subscriptions_paywallsettings")
    if rows:
        return int(rows[0][0])
    # No settings row yet: the paywall reads the model's default.
    return int(PaywallSettings._meta.get_field("meter_limit").get_default())


def _expect_full_article(page: Page) -> None:
    expect(page.locator(".article__body .paywalled-content")).to_be_visible()
    expect(page.locator(".paywall")).to_have_count(0)


def test_newcomer_meets_the_wall_signs_up_subscribes_and_reads_in_full(
    embedded_site: EmbeddedSite, open_page: Any, screenshot: Any
) -> None:
    base = embedded_site.url
    limit = _meter_limit(embedded_site)
    assert limit > 0, "the demo's meter is off: the journey needs it"
    page = open_page()

    # 1. Anonymous: the article list, a free article in full.
    free = article_paths(page, base, "free")
    subscriber_only = article_paths(page, base, "subscribers")
    assert len(subscriber_only) > limit, "the demo needs more subscriber articles than the meter"
    assert free, "the demo has no free article"
    page.goto(f"{base}/articles/")
    screenshot(page, "reader-01-articles")
    page.goto(f"{base}{free[0]}")
    expect(page.locator("h1.article__title")).to_be_visible()
    expect(page.locator(".paywall")).to_have_count(0)

    # 2. A subscriber article: the teaser, then the registration wall.
    first = subscriber_only[0]
    page.goto(f"{base}{first}")
    expect(page.locator(".paywall__reason--registration_required")).to_be_visible()
    expect(page.locator(".paywalled-content")).to_have_count(0)
    screenshot(page, "reader-02-registration-wall")

    # 3. Sign up from the wall (allauth); back on the article, which the meter now opens.
    page.locator(".paywall__actions a.button").first.click()
    page.wait_for_url(re.compile(r"/compte/signup/"))
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    screenshot(page, "reader-03-signup")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}{first}")
    _expect_full_article(page)
    expect(page.locator(".access-note--meter")).to_be_visible()
    screenshot(page, "reader-04-metered-article")

    # 4. The address is confirmed with the link printed on the console.
    (verification,) = [m for m in embedded_site.emails() if recipients(m) == [EMAIL]]
    text = message_text(verification)
    assert "Relation Client Magazine" in text and "example.com" not in text, text
    link = re.search(r"https?://\S+/compte/confirm-email/\S+/", text)
    assert link is not None, text
    assert link.group(0).startswith(f"{base}/"), link.group(0)
    page.goto(link.group(0))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages .alert--success")).to_contain_text(EMAIL)
    screenshot(page, "reader-05-email-confirmed")

    # 5. The meter: `limit` subscriber articles in full this month, then the subscription wall.
    for path in subscriber_only[1:limit]:
        page.goto(f"{base}{path}")
        _expect_full_article(page)
        expect(page.locator(".access-note--meter")).to_be_visible()
    walled = subscriber_only[limit]
    page.goto(f"{base}{walled}")
    expect(page.locator(".paywall__reason--meter_exhausted")).to_be_visible()
    expect(page.locator(".paywalled-content")).to_have_count(0)
    screenshot(page, "reader-06-meter-exhausted")

    # 6. Subscribe: the plans, then the simulated Checkout served on this very port.
    page.locator(".paywall .offer a.button").click()
    page.wait_for_url(f"{base}/abonnement/")
    weekly = page.locator("li.plan", has=page.locator(".plan__name", has_text="Hebdo"))
    screenshot(page, "reader-07-plans")
    weekly.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/abonnement/simulateur/cs_"))
    expect(page.locator(".simulator")).to_contain_text("Hebdo")
    page.locator("input[name=card][value=visa]").check()
    screenshot(page, "reader-08-simulated-checkout")
    page.locator(".simulator form button[type=submit]").click()

    # 7. Back on the site: active once the simulator's webhook has been handled.
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/abonnement/confirmation/\?session_id=cs_"))
    expect(page.locator("[data-activation=pending]")).to_have_count(0, timeout=60_000)
    expect(page.locator("main")).to_contain_text("Hebdo")
    screenshot(page, "reader-09-subscribed")

    # 8. The article behind the wall, in full; the account page shows the plan.
    page.goto(f"{base}{walled}")
    _expect_full_article(page)
    expect(page.locator(".access-note--meter")).to_have_count(0)
    screenshot(page, "reader-10-full-article")
    page.goto(f"{base}/abonnement/compte/")
    summary = page.locator(".billing-summary")
    expect(summary).to_contain_text("Hebdo")
    expect(summary.locator("[data-status]")).to_have_attribute("data-status", "active")
    screenshot(page, "reader-11-account")
