"""The Content-Security-Policy header: strict on the site, a narrow relaxation in the admin."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def directives(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def test_site_pages_allow_nothing_inline(client: Client, free_article: Any) -> None:
    for url in (
        reverse("magazine:home"),
        free_article.get_absolute_url(),
        reverse("account_login"),
    ):
        policy = directives(client.get(url))
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:"]


def test_forms_may_post_and_be_redirected_to_stripe_only(client: Client) -> None:
    policy = directives(client.get(reverse("magazine:home")))
    assert policy["form-action"] == [
        "'self'",
        "https://checkout.stripe.com",
        "https://billing.stripe.com",
    ]


def test_the_admin_gets_inline_styles_and_its_import_map_by_hash(
    client: Client, editor: User
) -> None:
    client.force_login(editor)
    response = client.get(reverse("admin:magazine_article_add"))
    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" in policy["style-src"]
    # Scripts stay strict: only the exact import map the page carries may run inline.
    assert "'unsafe-inline'" not in policy["script-src"]
    (import_map,) = re.findall(
        rb'<script type="importmap"[^>]*>(.*?)</script>', response.content, re.DOTALL
    )
    digest = base64.b64encode(hashlib.sha256(import_map).digest()).decode()
    assert policy["script-src"] == ["'self'", f"'sha256-{digest}'"]


def test_media_host_is_allowed_for_images(settings: Any, client: Client) -> None:
    policy = dict(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"] = {
        **policy["DIRECTIVES"],
        "img-src": ["'self'", "data:", "https://media.example.com"],
    }
    settings.CONTENT_SECURITY_POLICY = policy
    assert (
        "https://media.example.com" in directives(client.get(reverse("magazine:home")))["img-src"]
    )


def test_security_headers_on_every_page(client: Client) -> None:
    response = client.get(reverse("magazine:home"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
