"""Hostile input at every public form and endpoint: a clear 4xx or form error, never a 500, and
nothing changes that should not."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from magazine.models import Article
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

MEGABYTE = "A" * (1024 * 1024)
SCRIPT = '<script>alert("x")</script>'
SQLISH = "'; DROP TABLE accounts_user; --"
NUL = "abc\x00def"
HOSTILE_TEXT = [MEGABYTE, SCRIPT, SQLISH, NUL, "", "é" * 300, "%FF%FE"]

# Rows whose counts must not move when input is refused.
WATCHED = [
    "accounts.User",
    "paywall.GiftLink",
    "subscriptions.Subscription",
    "events.Registration",
    "newsletters.Subscriber",
    "magazine.Article",
]


def counts() -> dict[str, int]:
    result = {}
    for label in WATCHED:
        model: type[models.Model] = apps.get_model(label)
        result[label] = model.objects.count()
    return result


def assert_clear_refusal(response: Any) -> None:
    assert response.status_code < 500, response.status_code
    if response.status_code == 200:
        form = (response.context or {}).get("form")
        assert form is not None and form.errors, "a 200 answer to bad input must show form errors"


@pytest.fixture
def newsletter(db: Any) -> Any:
    from newsletters.models import Newsletter

    return Newsletter.objects.create(name="La quotidienne", slug="quotidienne")


@pytest.mark.parametrize(
    "value", HOSTILE_TEXT, ids=["1MB", "script", "sql", "nul", "empty", "long", "pct"]
)
def test_signup_login_and_reset_refuse_hostile_emails(client: Client, value: str) -> None:
    before = counts()
    for name, data in (
        ("account_signup", {"email": value, "password1": value, "password2": value}),
        ("account_login", {"login": value, "password": value}),
        ("account_reset_password", {"email": value}),
    ):
        response = client.post(reverse(name), data)
        assert response.status_code < 500
        assert response.status_code in (200, 400, 413, 429) or (
            name == "account_reset_password" and response.status_code == 302
        )
    assert counts() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "query",
    ["%FF", "%00", "%C0%AF", "q=" + "x" * 5000, "<script>", "' OR 1=1 --", "%E2%80%AE"],
)
def test_search_survives_hostile_queries(client: Client, query: str) -> None:
    response = client.get(reverse("magazine:search") + "?q=" + query)
    assert response.status_code in (200, 400)
    assert b"<script>alert" not in response.content


def test_search_never_echoes_markup(client: Client) -> None:
    response = client.get(reverse("magazine:search"), {"q": SCRIPT})
    assert response.status_code == 200
    assert SCRIPT.encode() not in response.content


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=300))
def test_search_answers_any_text(client: Client, q: str) -> None:
    response = client.get(reverse("magazine:search"), {"q": q})
    assert response.status_code in (200, 400)


def test_newsletter_form_refuses_hostile_input(client: Client, newsletter: Any) -> None:
    before = counts()
    url = reverse("newsletters:subscribe")
    for data in (
        {"email": MEGABYTE, "newsletters": [newsletter.pk], "consent": "on"},
        {"email": SCRIPT, "newsletters": [newsletter.pk], "consent": "on"},
        {"email": "ok@example.com", "newsletters": ["abc"], "consent": "on"},
        {"email": "ok@example.com", "newsletters": [999999], "consent": "on"},
        {"email": NUL, "newsletters": [newsletter.pk], "consent": "on"},
        {"email": "ok@example.com", "newsletters": [newsletter.pk]},  # no consent
    ):
        assert_clear_refusal(client.post(url, data))
    assert counts() == before


def test_invalid_utf8_bodies_are_refused_cleanly(client: Client, newsletter: Any) -> None:
    before = counts()
    for url in (
        reverse("newsletters:subscribe"),
        reverse("account_login"),
        reverse("account_signup"),
    ):
        response = client.post(
            url,
            data=b"email=%FF%FE%00&login=\xff\xfe&password=\xc0\xaf",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code < 500
    assert counts() == before


def test_gift_links_refuse_forged_and_wrong_type_ids(
    client: Client, subscriber: User, others_gift: Any
) -> None:
    client.force_login(subscriber)
    before = counts()
    assert client.post(reverse("magazine:gift_create", args=["nexiste-pas"])).status_code == 404
    assert client.post(f"/abonnement/cadeaux/{others_gift.pk}/retirer/").status_code == 404
    assert client.post("/abonnement/cadeaux/abc/retirer/").status_code == 404
    assert client.post("/abonnement/cadeaux/99999999999999999999/retirer/").status_code == 404
    assert client.get(f"/abonnement/cadeaux/{others_gift.pk}/").status_code == 404
    others_gift.refresh_from_db()
    assert others_gift.revoked_at is None
    assert counts() == before


@pytest.mark.parametrize("value", [MEGABYTE, SCRIPT, SQLISH, NUL])
def test_event_registration_refuses_hostile_fields(
    client: Client, ticket_type: Any, value: str
) -> None:
    before = counts()
    url = reverse("events:register", args=[ticket_type.event.slug, ticket_type.pk])
    response = client.post(
        url, {"first_name": value, "last_name": value, "email": value, "consent": "on"}
    )
    assert_clear_refusal(response)
    assert counts() == before


def test_event_registration_for_a_forged_ticket_type_is_a_404(
    client: Client, ticket_type: Any
) -> None:
    url = f"/evenements/{ticket_type.event.slug}/inscription/987654/"
    assert (
        client.post(
            url, {"first_name": "A", "last_name": "B", "email": "a@example.com"}
        ).status_code
        == 404
    )


def test_checkout_refuses_forged_plans(client: Client, reader: User, stripe_sim: Any) -> None:
    client.force_login(reader)
    before = counts()
    assert client.post("/abonnement/souscrire/987654/").status_code == 404
    assert client.post("/abonnement/souscrire/abc/").status_code == 404
    assert client.get("/abonnement/souscrire/1/").status_code == 405
    assert counts() == before


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00",
        b"{}",
        b'{"type": "customer.subscription.updated"}',
        MEGABYTE.encode(),
    ],
)
def test_stripe_webhook_refuses_unsigned_or_garbled_bodies(
    client: Client, stripe_sim: Any, body: bytes
) -> None:
    before = counts()
    for signature in (None, "t=1,v1=forged", "\x00"):
        extra = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}
        response = client.post(
            reverse("stripe_webhook"), data=body, content_type="application/json", **extra
        )
        assert 400 <= response.status_code < 500
    assert counts() == before


@pytest.mark.parametrize("slug", ["nexiste-pas", "%FF", "a" * 300, "<script>"])
def test_article_json_answers_404_for_unknown_or_hostile_slugs(client: Client, slug: str) -> None:
    response = client.get(f"/api/articles/{slug}.json")
    assert response.status_code == 404


@pytest.mark.parametrize("token", ["forged", "%FF%FE", "a" * 5000, "x.y.z", "\x00"])
def test_one_click_unsubscribe_refuses_forged_tokens(
    client: Client, newsletter: Any, token: str
) -> None:
    from newsletters.models import ConsentRecord

    before = ConsentRecord.objects.count()
    url = f"/newsletters/desabonnement/{token}/"
    for method in (client.get, client.post):
        response = (
            method(url, {"List-Unsubscribe": "One-Click"}) if method == client.post else method(url)
        )
        assert response.status_code in (400, 404)
    assert ConsentRecord.objects.count() == before


def test_admin_add_article_refuses_hostile_input(client: Client, editor: User) -> None:
    client.force_login(editor)
    before = counts()
    url = reverse("admin:magazine_article_add")
    for data in (
        {"title": MEGABYTE, "slug": "x", "body": SCRIPT},
        {"title": NUL, "slug": NUL},
        {"title": "Titre", "slug": "<script>", "rubrique": "abc"},
    ):
        response = client.post(url, data)
        assert response.status_code in (200, 400, 413)
        if response.status_code == 200:
            assert response.context["adminform"].form.errors
    assert counts() == before


def test_account_deletion_refuses_hostile_passwords(client: Client, reader: User) -> None:
    client.force_login(reader)
    for value in (MEGABYTE, NUL, SQLISH, ""):
        response = client.post(reverse("accounts:delete"), {"password": value})
        assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.is_active and reader.check_password(PASSWORD)


def test_admin_add_article_refuses_forged_autocomplete_ids(client: Client, editor: User) -> None:
    client.force_login(editor)
    response = client.post(
        reverse("admin:magazine_article_add"), {"title": "Titre", "authors": ["x"]}
    )
    assert response.status_code == 200
    assert "authors" in response.context["adminform"].form.errors
    assert not Article.objects.filter(title="Titre").exists()
