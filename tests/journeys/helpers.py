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
