"""Login, signup, password reset and the site's own forms answer 429 past their limits."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.adapter import get_adapter
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from tests.factories import NewsletterFactory
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def assert_limited_page(response: Any) -> None:
    assert response.status_code == 429
    assert "429.html" in [t.name for t in response.templates]
    # In the site's design: the page has the site header and a way back.
    content = response.content.decode()
    assert 'class="site-header"' in content
    assert reverse("magazine:home") in content


def test_repeated_failed_logins_lock_the_account_for_a_while(client: Client, reader: User) -> None:
    url = reverse("account_login")
    for _attempt in range(5):
        response = client.post(url, {"login": reader.email, "password": "mauvais"})
        assert response.status_code == 200
    # Even the right password is refused while the account cools down, with a clear message.
    response = client.post(url, {"login": reader.email, "password": PASSWORD})
    assert response.status_code == 200
    with translation.override("fr"):
        expected = str(get_adapter().error_messages["too_many_login_attempts"])
    assert response.context["form"].non_field_errors() == [expected]
    assert "_auth_user_id" not in client.session


def test_login_attempts_from_one_address_get_the_429_page(
    client: Client, reader: User, settings: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    url = reverse("account_login")
    for _attempt in range(3):
        client.post(url, {"login": f"{_attempt}@example.com", "password": "x"})
    assert_limited_page(client.post(url, {"login": reader.email, "password": PASSWORD}))
    assert "_auth_user_id" not in client.session


def test_signups_from_one_address_are_limited(client: Client, settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    url = reverse("account_signup")
    for n in range(2):
        client.post(
            url, {"email": f"x{n}@example.com", "password1": PASSWORD, "password2": PASSWORD}
        )
    response = client.post(
        url, {"email": "x9@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert_limited_page(response)
    assert not User.objects.filter(email="x9@example.com").exists()


def test_password_reset_requests_for_one_address_are_limited(client: Client, reader: User) -> None:
    url = reverse("account_reset_password")
    for _attempt in range(5):
        assert client.post(url, {"email": reader.email}).status_code == 302
    assert_limited_page(client.post(url, {"email": reader.email}))


def test_allauth_counts_the_client_behind_a_trusted_proxy_not_the_proxy(
    client: Client, reader: User, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    url = reverse("account_login")
    for attempt in range(3):
        client.post(
            url,
            {"login": f"{attempt}@example.com", "password": "x"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    limited = client.post(
        url,
        {"login": reader.email, "password": "x"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert limited.status_code == 429
    # Another reader behind the same proxy is not punished for the first one.
    other = client.post(
        url,
        {"login": "quelquun@example.com", "password": "x"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 200


def test_newsletter_subscriptions_from_one_address_are_limited(
    client: Client, settings: Any
) -> None:
    from newsletters.models import Subscriber

    settings.KIOSQUE_RATE_LIMITS = {**settings.KIOSQUE_RATE_LIMITS, "newsletter_subscribe": "3/h"}
    newsletter = NewsletterFactory(name="La quotidienne", slug="quotidienne")
    url = reverse("newsletters:subscribe")
    for n in range(3):
        data = {"email": f"n{n}@example.com", "newsletters": [newsletter.pk], "consent": "on"}
        assert client.post(url, data).status_code == 200
    response = client.post(
        url, {"email": "n9@example.com", "newsletters": [newsletter.pk], "consent": "on"}
    )
    assert_limited_page(response)
    assert not Subscriber.objects.filter(email="n9@example.com").exists()
    # Reading the form is never counted.
    assert client.get(url).status_code == 200


def test_spoofed_forwarded_for_does_not_escape_the_limit(client: Client, settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    settings.KIOSQUE_RATE_LIMITS = {**settings.KIOSQUE_RATE_LIMITS, "newsletter_subscribe": "2/h"}
    newsletter = NewsletterFactory(name="La quotidienne", slug="quotidienne")
    url = reverse("newsletters:subscribe")
    statuses = [
        client.post(
            url,
            {"email": f"s{n}@example.com", "newsletters": [newsletter.pk], "consent": "on"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_gift_links_are_limited_per_account(
    client: Client, subscriber: User, free_article: Any, settings: Any
) -> None:
    from paywall.models import GiftLink

    settings.KIOSQUE_RATE_LIMITS = {**settings.KIOSQUE_RATE_LIMITS, "gift_links": "2/h"}
    client.force_login(subscriber)
    url = reverse("magazine:gift_create", args=[free_article.slug])
    # Each from a different address: the account is counted on its own.
    for n in range(2):
        client.post(url, REMOTE_ADDR=f"192.0.2.{n + 1}")
    before = GiftLink.objects.count()
    assert_limited_page(client.post(url, REMOTE_ADDR="192.0.2.50"))
    assert GiftLink.objects.count() == before


def test_event_registrations_from_one_address_are_limited(
    client: Client, ticket_type: Any, settings: Any
) -> None:
    from events.models import Registration

    settings.KIOSQUE_RATE_LIMITS = {**settings.KIOSQUE_RATE_LIMITS, "event_registration": "2/h"}
    url = reverse("events:register", args=[ticket_type.event.slug, ticket_type.pk])

    def register(n: int) -> Any:
        return client.post(
            url,
            {"first_name": "Camille", "last_name": "Durand", "email": f"e{n}@example.com",
             "consent": "on"},
        )  # fmt: skip

    assert [register(n).status_code for n in range(2)] == [302, 302]
    assert_limited_page(register(9))
    assert Registration.objects.count() == 2
