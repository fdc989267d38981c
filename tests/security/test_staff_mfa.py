"""Staff use the admin only with two-factor authentication, and log in through allauth."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_required(settings: Any) -> None:
    settings.KIOSQUE_STAFF_MFA_REQUIRED = True


def add_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_staff_without_an_authenticator_is_sent_to_set_one_up(
    client: Client, editor: User, mfa_required: None
) -> None:
    client.force_login(editor)
    response = client.get(reverse("admin:magazine_article_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Told why (the wording is translated; its level is not).
    notices = list(get_messages(response.wsgi_request))
    assert [m.level for m in notices] == [messages.WARNING]


def test_staff_with_an_authenticator_reaches_the_admin(
    client: Client, editor: User, mfa_required: None
) -> None:
    add_totp(editor)
    client.force_login(editor)
    assert client.get(reverse("admin:magazine_article_changelist")).status_code == 200


def test_recovery_codes_alone_do_not_count_as_a_second_factor(
    client: Client, editor: User, mfa_required: None
) -> None:
    Authenticator.objects.create(
        user=editor, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00"}
    )
    client.force_login(editor)
    assert client.get(reverse("admin:index")).status_code == 302


def test_requirement_can_be_switched_off_for_the_demo(
    client: Client, editor: User, settings: Any
) -> None:
    settings.KIOSQUE_STAFF_MFA_REQUIRED = False
    client.force_login(editor)
    assert client.get(reverse("admin:index")).status_code == 200


def test_readers_are_not_asked_for_two_factor(
    client: Client, reader: User, mfa_required: None
) -> None:
    client.force_login(reader)
    assert client.get(reverse("magazine:home")).status_code == 200
    # Not staff: the admin sends them to its login, never to the MFA setup.
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("mfa_activate_totp") not in response["Location"]


def test_mfa_default_follows_debug() -> None:
    code = "from django.conf import settings; print(settings.KIOSQUE_STAFF_MFA_REQUIRED)"
    root = Path(__file__).resolve().parents[2]

    def value(env: dict[str, str]) -> str:
        skipped = {"DEBUG", "KIOSQUE_STAFF_MFA_REQUIRED"}
        clean = {k: v for k, v in os.environ.items() if k not in skipped}
        clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); " + code],
            cwd=root, env=clean, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        return result.stdout.strip()

    assert value({"DEBUG": "false"}) == "True"
    assert value({"DEBUG": "true"}) == "False"


def test_admin_login_page_sends_to_the_site_login(client: Client) -> None:
    response = client.get(reverse("admin:login") + "?next=/admin/magazine/article/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=%2Fadmin%2Fmagazine%2Farticle%2F" in response["Location"]


def test_admin_login_form_cannot_bypass_the_second_factor(client: Client, editor: User) -> None:
    add_totp(editor)
    response = client.post(reverse("admin:login"), {"username": editor.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_login_asks_for_the_code_then_opens_the_admin(
    client: Client, editor: User, mfa_required: None
) -> None:
    secret = add_totp(editor)
    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": editor.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    # A wrong code is refused; the right one logs in and lands in the admin.
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert client.get("/admin/").status_code == 200
