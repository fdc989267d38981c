"""What several journeys do the same way: logging in as one of the demo accounts."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from magazine.demo.content import EDITOR_PASSWORD

# Every demo account shares the password `make run` prints.
DEMO_PASSWORD = EDITOR_PASSWORD


def admin_login(page: Page, base: str, email: str) -> None:
    """Log in to the admin through the site's (allauth) login form."""
    page.goto(f"{base}/admin/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("#user-tools")).to_be_visible()


def article_paths(page: Page, base: str, access: str) -> list[str]:
    """The paths of every article with this access ("free", "registered", "subscribers") in
    the list of all articles, newest first, through all its pages."""
    paths: list[str] = []
    query = ""
    while True:
        page.goto(f"{base}/articles/{query}")
        expect(page.locator("article.card").first).to_be_visible()
        links = page.locator(f"article.card:has(.badge--{access}) .card__title a")
        paths.extend(str(links.nth(i).get_attribute("href")) for i in range(links.count()))
        following = page.locator(".pagination a[rel=next]")
        if not following.count():
            return paths
        query = str(following.get_attribute("href"))  # "?page=2"
