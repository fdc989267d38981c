"""Subscribing in a real browser: paywall → plans → simulated Checkout → article → portal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from magazine.models import Article
from paywall.models import PaywallSettings
from stripe_simulator import MemoryStore
from stripe_simulator.delivery import InProcessDeliverer
from stripe_simulator.site import build_simulator
from subscriptions import stripe_gateway
from subscriptions.models import Plan, Subscription
from tests.factories import ArticleFactory, PlanFactory
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKER = "Les conseillers de Roubaix ont gagné onze minutes par appel complexe."
BODY = (
    "<p>Dans les centres de contact, la promesse des agents vocaux se heurte au terrain : "
    "les clients veulent parler à quelqu'un quand leur problème sort de l'ordinaire.</p>"
    "<p>Trois plateaux ont accepté d'ouvrir leurs tableaux de bord pendant six mois.</p>"
    "<h2>Ce que disent les chiffres</h2>"
    "<p>Le taux de résolution au premier contact progresse de quatre points.</p>"
    f"<p>{MARKER}</p>"
)


@pytest.fixture
def simulated_stripe(settings: Any, live_server: Any) -> Iterator[Any]:
    """The offline Stripe, handing its signed webhooks to the real view in the server thread.

    Not HTTPDeliverer: a webhook handler's own re-read would make its thread deliver the same
    queued event again, and that second POST waits on the first one's uncommitted event row.
    """
    settings.STRIPE_SIMULATOR = True
    settings.STRIPE_WEBHOOK_SECRET = "whsec_browser_tests"
    settings.STRIPE_SIMULATOR_STATE_FILE = None
    # The simulated Checkout and portal pages are served by the live server.
    settings.SITE_URL = live_server.url
    simulator = build_simulator(store=MemoryStore(), deliverer=InProcessDeliverer())
    stripe_gateway.install_simulator(simulator)
    yield simulator
    stripe_gateway.reset()


@pytest.fixture
def premium_article() -> Article:
    # No free monthly articles: the reader meets the wall on her first subscriber article.
    paywall = PaywallSettings.load()
    paywall.meter_limit = 0
    paywall.save()
    return ArticleFactory(
        title="Agents vocaux : ce que six mois de production ont appris aux plateaux",
        slug="agents-vocaux-six-mois-de-production",
        body=BODY,
        access=Article.Access.SUBSCRIBERS,
    )


@pytest.fixture
def plans() -> dict[str, Plan]:
    return {
        "weekly": PlanFactory(
            name="Hebdo", stripe_price_id="price_hebdo", amount=249, interval="week"
        ),
        "yearly": PlanFactory(
            name="Annuel",
            stripe_price_id="price_annuel",
            amount=9900,
            interval="year",
            display_order=1,
        ),
    }


def _log_in(page: Page, base_url: str, user: User, next_path: str) -> None:
    page.goto(f"{base_url}{reverse('account_login')}?next={next_path}")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{base_url}{next_path}")


def test_reader_subscribes_weekly_reads_then_cancels_at_period_end(
    live_server: Any,
    page: Page,
    screenshot: Any,
    simulated_stripe: Any,
    reader: User,
    premium_article: Article,
    plans: dict[str, Plan],
) -> None:
    base = live_server.url
    article_path = premium_article.get_absolute_url()

    # 1. The reader logs in through the form and meets the wall.
    _log_in(page, base, reader, article_path)
    expect(page.locator("#paywall-title")).to_be_visible()
    expect(page.get_by_text(MARKER)).to_have_count(0)
    screenshot(page, "subscription-01-paywall")

    # 2. Subscribe → the plans page → the weekly plan.
    page.locator(".paywall .offer a.button").click()
    page.wait_for_url(f"{base}{reverse('billing:plans')}")
    weekly = page.locator("li.plan", has=page.locator(".plan__name", has_text="Hebdo"))
    expect(weekly).to_contain_text(re.compile(r"2,49"))
    screenshot(page, "subscription-02-plans")
    weekly.locator("form button[type=submit]").click()

    # 3. The simulated Checkout, paid with the card that succeeds.
    page.wait_for_url(re.compile(r"/abonnement/simulateur/cs_"))
    expect(page.locator(".simulator")).to_contain_text("Hebdo")
    page.locator("input[name=card][value=visa]").check()
    screenshot(page, "subscription-03-checkout")
    page.locator(".simulator form button[type=submit]").click()

    # 4. Back on the site: "activation in progress" until the webhook lands, then active.
    page.wait_for_url(re.compile(r"/abonnement/confirmation/\?session_id=cs_"))
    screenshot(page, "subscription-04-confirmation")
    expect(page.locator("[data-activation=pending]")).to_have_count(0, timeout=20_000)
    expect(page.locator(".billing-page a.button")).to_have_attribute("href", "/")
    screenshot(page, "subscription-05-active")
    subscription = Subscription.objects.get(user=reader)
    assert (subscription.status, subscription.plan) == ("active", plans["weekly"])
    # The signed webhooks went through the view and were all accepted.
    assert subscription.history.exclude(stripe_event_id="").exists()
    assert simulated_stripe.pending_events() == []

    # 5. The whole article, down to its last paragraph.
    page.goto(f"{base}{article_path}")
    expect(page.get_by_text(MARKER)).to_be_visible()
    expect(page.locator("#paywall-title")).to_have_count(0)
    screenshot(page, "subscription-06-full-article")

    # 6. The account page: plan, status, next renewal.
    page.goto(f"{base}{reverse('billing:account')}")
    summary = page.locator(".billing-summary")
    expect(summary).to_contain_text("Hebdo")
    expect(summary.locator("[data-status]")).to_have_attribute("data-status", "active")
    expect(summary.locator("[data-renewal]")).to_be_visible()
    expect(summary.locator("[data-ends]")).to_have_count(0)
    screenshot(page, "subscription-07-account")

    # 7. The simulated Customer Portal: cancel at the end of the period.
    page.locator("form[action$='/abonnement/portail/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/abonnement/simulateur/portail/bps_"))
    screenshot(page, "subscription-08-portal")
    page.locator("button[name=action][value=cancel]").click()
    expect(page.locator("button[name=action][value=resume]")).to_be_visible()
    screenshot(page, "subscription-09-portal-cancelled")

    # 8. The account page now shows when the access ends.
    page.goto(f"{base}{reverse('billing:account')}")
    expect(summary.locator("[data-ends]")).to_be_visible()
    expect(summary.locator("[data-renewal]")).to_have_count(0)
    expect(summary.locator("[data-status]")).to_have_attribute("data-status", "active")
    screenshot(page, "subscription-10-account-ends")
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    ends = page.locator("[data-ends]").inner_text()
    assert str(subscription.current_period_end.year) in ends
