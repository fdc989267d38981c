"""The site and the admin work under the Content-Security-Policy in a real browser.

Every page visited collects the browser's CSP reports (console messages and
`securitypolicyviolation` events); the test asserts there are none and that what the
policy could break (the prose editor, select2 autocomplete) still works.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from magazine.models import Article
from magazine.roles import editors_group_sync
from tests.factories import ArticleFactory, AuthorFactory, PlanFactory, UserFactory
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed before any page script runs: violations from the first byte on are recorded.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile);
});
"""


def watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return violations


def visit(page: Page, url: str, violations: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    page.wait_for_load_state("networkidle")
    violations.extend(page.evaluate("window.__csp || []"))


def test_public_pages_raise_no_violation(page: Page, live_server: Any) -> None:
    article = ArticleFactory(access=Article.Access.FREE, title="La relation client augmentée")
    PlanFactory(name="Hebdo", stripe_price_id="price_hebdo", amount=249, interval="week")
    violations = watch(page)
    base = live_server.url
    for path in (
        "/",
        article.get_absolute_url(),
        "/recherche/?q=relation",
        "/compte/login/",
        "/compte/signup/",
        "/abonnement/",
    ):
        visit(page, base + path, violations)
    assert violations == []

    # The probe: a script injected into the page is blocked and reported, so silence above
    # means the pages really ran under the policy.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.append(s); }"
    )
    page.wait_for_function("window.__csp.some((v) => v.startsWith('script-src'))")
    assert page.evaluate("window.__ran === undefined")


def test_admin_works_under_the_policy(page: Page, live_server: Any) -> None:
    editor: User = UserFactory(email="redaction@example.com", is_staff=True)
    editor.groups.add(editors_group_sync())
    author = AuthorFactory(name="Clara Vasseur")
    article = ArticleFactory(access=Article.Access.FREE, title="Les agents vocaux")
    violations = watch(page)
    base = live_server.url

    # Admin login goes through the site's login form.
    visit(page, f"{base}/admin/login/", violations)
    page.locator("#id_login").fill(editor.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("#user-tools")).to_be_visible()
    violations.extend(page.evaluate("window.__csp || []"))

    visit(page, f"{base}/admin/magazine/article/", violations)
    expect(page.locator("#result_list")).to_contain_text("Les agents vocaux")

    visit(page, f"{base}/admin/magazine/article/{article.pk}/change/", violations)
    body = page.locator(".field-body .ProseMirror[contenteditable=true]")
    expect(body).to_be_visible()
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" Texte ajouté sous CSP.")
    expect(body).to_contain_text("Texte ajouté sous CSP.")

    # select2 autocomplete, fed by /admin/autocomplete/.
    page.locator(".field-authors .select2-selection").click()
    page.locator(".field-authors .select2-search__field").press_sequentially("Vass")
    page.locator(".select2-results__option", has_text=author.name).click()
    expect(
        page.locator(".field-authors .select2-selection__choice", has_text=author.name)
    ).to_be_visible()

    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    violations.extend(page.evaluate("window.__csp || []"))
    article.refresh_from_db()
    assert "Texte ajouté sous CSP." in article.body
    assert author in article.authors.all()
    assert violations == []
