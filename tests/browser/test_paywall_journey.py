"""The paywall journey in a real browser: wall, free account, metered reads, then the offer."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Page, expect

from accounts.models import User
from core.money import format_price
from magazine.models import Article
from paywall.models import PaywallSettings
from subscriptions.models import Plan
from tests.factories import ArticleFactory, RubriqueFactory
from tests.paywall.helpers import body_for, secret_marker, teaser_marker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

METER_LIMIT = 2
EMAIL = "nouvelle-lectrice@example.com"
PASSWORD = "Relation-Client-2026!"


@pytest.fixture
def articles(weekly_plan: Plan) -> list[Article]:
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": METER_LIMIT})
    rubrique = RubriqueFactory(name="Centres de contact", slug="centres-de-contact")
    return [
        ArticleFactory(
            title=title,
            slug=f"parcours-{n}",
            lead="Les directions de la relation client revoient leurs organisations.",
            body=body_for(f"parcours{n}"),
            access=Article.Access.SUBSCRIBERS,
            rubrique=rubrique,
        )
        for n, title in enumerate(
            [
                "Dreamforce 2025 : des agents IA et des chaussettes à 18 dollars",
                "ECTFF : la 13e édition réunit les directions de l'expérience client",
                "Volubile.ai multiplie son revenu récurrent par 3,5 en trois mois",
            ]
        )
    ]


def french(singular: str, plural: str | None = None, count: int | None = None) -> str:
    with translation.override("fr"):
        if plural is None:
            return gettext(singular)
        return ngettext(singular, plural, count or 0) % {"count": count}


def _shows_only_the_teaser(page: Page, level: str) -> None:
    content = page.content()
    assert teaser_marker(level) in content
    assert secret_marker(level) not in content
    expect(page.locator(".paywalled-content")).to_have_count(0)


def test_anonymous_reader_registers_reads_on_the_meter_then_meets_the_offer(
    page: Page, live_server, screenshot, articles: list[Article]
) -> None:  # type: ignore[no-untyped-def]
    first, second, third = articles
    base = live_server.url

    # 1. The wall: a subscriber article asks an anonymous visitor to create a free account.
    page.goto(base + first.get_absolute_url())
    wall = page.locator("section.paywall")
    expect(wall).to_be_visible()
    expect(wall.locator(".paywall__reason--registration_required")).to_be_visible()
    _shows_only_the_teaser(page, "parcours0")
    screenshot(page, "paywall-1-registration-wall")

    # 2. Sign up with an email and a password; verification is optional, so they are logged in.
    wall.locator(".paywall__actions a[href*='signup']").click()
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("form[action*='signup'] [type=submit]").click()

    # 3. Back on the article, read in full on the meter, which says how many remain.
    expect(page).to_have_url(re.compile(re.escape(first.get_absolute_url()) + r"$"))
    assert User.objects.filter(email=EMAIL).exists()
    note = page.locator(".access-note--meter")
    expect(note).to_have_text(
        french(
            "You have %(count)d free article left this month.",
            "You have %(count)d free articles left this month.",
            METER_LIMIT - 1,
        )
    )
    expect(page.locator(".paywalled-content")).to_contain_text(secret_marker("parcours0"))
    expect(page.locator("section.paywall")).to_have_count(0)
    screenshot(page, "paywall-2-metered-read")

    # 4. The last free article of the month says so.
    page.goto(base + second.get_absolute_url())
    expect(page.locator(".access-note--meter")).to_have_text(
        french("This is your last free article this month.")
    )
    expect(page.locator(".paywalled-content")).to_contain_text(secret_marker("parcours1"))

    # 5. The meter has run out: the subscription offer with its weekly price.
    page.goto(base + third.get_absolute_url())
    wall = page.locator("section.paywall")
    expect(wall).to_be_visible()
    expect(wall.locator(".paywall__reason--meter_exhausted")).to_have_text(
        french(
            "You have read your %(count)d free article this month.",
            "You have read your %(count)d free articles this month.",
            METER_LIMIT,
        )
    )
    with translation.override("fr"):
        weekly_price = format_price(249)
    expect(wall.locator(".offer__price")).to_contain_text(weekly_price)
    expect(wall.locator(".offer a.button[href$='/abonnement/']")).to_be_visible()
    _shows_only_the_teaser(page, "parcours2")
    screenshot(page, "paywall-3-subscription-offer")
