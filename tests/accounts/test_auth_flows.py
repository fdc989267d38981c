"""Sign-up, email confirmation, login, logout and password reset, in the site's own layout."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-nouveau-secret-77"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # allauth counts attempts in the cache, which outlives a test's database transaction.
    cache.clear()


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def assert_site_layout(html: str) -> None:
    assert f'<span class="brand__name">{settings.SITE_NAME}</span>' in html
    assert 'class="account-page' in html
    assert "css/accounts.css" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


@pytest.mark.parametrize(
    ("url_name", "french_title", "french_heading"),
    [
        ("account_login", "Connexion", "Connexion"),
        ("account_signup", "Inscription", "Création de compte"),
        (
            "account_reset_password",
            "Réinitialisation du mot de passe",
            "Réinitialisation du mot de passe",
        ),
    ],
)
def test_account_pages_are_french_by_default_and_use_the_site_layout(
    client: Client, url_name: str, french_title: str, french_heading: str
) -> None:
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert re.search(rf"<h1>\s*{re.escape(french_heading)}\s*</h1>", html)
    title = rf"<title>\s*{re.escape(french_title)}\s*· {settings.SITE_NAME}</title>"
    assert re.search(title, html)
    assert_site_layout(html)


def test_account_pages_are_english_under_the_en_prefix(client: Client) -> None:
    response = client.get("/en" + reverse("account_login"))

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert re.search(r"<h1>\s*Sign In\s*</h1>", html)


def test_signup_by_email_creates_a_user_and_the_emailed_link_verifies_the_address(
    client: Client,
) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "Nouvelle.Lectrice@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    user = User.objects.get(email__iexact="nouvelle.lectrice@example.com")
    address = EmailAddress.objects.get(user=user)
    assert not address.verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [address.email]
    assert message.subject.startswith(f"[{settings.SITE_NAME}]")
    # The magazine's name and host, not the django.contrib.sites default ("example.com").
    text = re.sub(r"\S+@\S+", "", message.body)  # the reader's own address may be example.com
    assert "example.com" not in text
    assert settings.SITE_NAME in text
    assert f"sur {urlsplit(settings.SITE_URL).netloc}." in text
    confirm_url = link_in(message)
    assert "/compte/confirm-email/" in confirm_url

    page = client.get(confirm_url)
    assert page.status_code == 200
    assert_site_layout(page.content.decode())
    assert not EmailAddress.objects.get(pk=address.pk).verified  # GET only shows the form

    confirmed = client.post(confirm_url)

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(pk=address.pk).verified


def test_signup_with_an_email_already_in_use_creates_no_second_account(
    client: Client, reader: User
) -> None:
    client.post(
        reverse("account_signup"),
        {"email": reader.email, "password1": PASSWORD, "password2": PASSWORD},
    )

    assert User.objects.filter(email__iexact=reader.email).count() == 1


def test_reader_logs_in_with_email_and_password(client: Client, reader: User) -> None:
    response = client.post(reverse("account_login"), {"login": reader.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reader.pk)


def test_login_with_a_wrong_password_shows_an_error_and_stays_anonymous(
    client: Client, reader: User
) -> None:
    response = client.post(
        reverse("account_login"), {"login": reader.email, "password": "pas-le-bon-mot"}
    )

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post(reader_client: Client, reader: User) -> None:
    page = reader_client.get(reverse("account_logout"))

    assert page.status_code == 200
    assert_site_layout(page.content.decode())
    assert reader_client.session["_auth_user_id"] == str(reader.pk)

    response = reader_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in reader_client.session


def test_password_reset_link_sets_a_new_password_that_logs_in(client: Client, reader: User) -> None:
    response = client.post(reverse("account_reset_password"), {"email": reader.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    reset_url = link_in(mail.outbox[0])
    form_page = client.get(reset_url, follow=True)
    assert form_page.status_code == 200
    assert_site_layout(form_page.content.decode())
    set_password_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_url

    done = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    client.logout()
    login = client.post(reverse("account_login"), {"login": reader.email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(reader.pk)


def test_password_reset_for_an_unknown_address_creates_nothing(client: Client) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "inconnu@example.com"})

    assert response.status_code == 302
    assert not User.objects.filter(email="inconnu@example.com").exists()


def test_account_management_pages_show_the_account_menu(reader_client: Client) -> None:
    for url_name in ("account_email", "account_change_password"):
        response = reader_client.get(reverse(url_name))

        html = response.content.decode()
        assert response.status_code == 200
        assert_site_layout(html)
        assert 'class="account-nav"' in html
        assert f'href="{reverse(url_name)}" aria-current="page"' in html
