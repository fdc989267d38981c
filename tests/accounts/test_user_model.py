"""The custom user: readers and staff log in with an email address."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from accounts.models import User


def test_create_user_normalises_the_email_to_lower_case(db: None) -> None:
    user = User.objects.create_user("Lea.Bernard@Example.COM", password="motdepasse-solide-42")

    assert user.email == "lea.bernard@example.com"
    assert User.objects.get_by_natural_key("lea.bernard@example.com") == user
    assert user.check_password("motdepasse-solide-42")
    assert not user.is_staff
    assert not user.is_superuser


def test_create_user_requires_an_email(db: None) -> None:
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("", password="motdepasse-solide-42")


def test_create_superuser_is_staff_and_superuser(db: None) -> None:
    admin = User.objects.create_superuser("Admin@Example.com", password="motdepasse-solide-42")

    assert admin.email == "admin@example.com"
    assert admin.is_staff
    assert admin.is_superuser


def test_superuser_flags_cannot_be_turned_off_by_arguments(db: None) -> None:
    admin = User.objects.create_superuser(
        "chef@example.com", password="motdepasse-solide-42", is_staff=False
    )

    assert admin.is_staff


def test_email_is_unique(db: None) -> None:
    User.objects.create_user("camille@example.com")

    with pytest.raises(IntegrityError):
        User.objects.create_user("CAMILLE@example.com")


def test_user_without_password_cannot_log_in(db: None) -> None:
    user = User.objects.create_user("sans-mot-de-passe@example.com")

    assert not user.has_usable_password()


def test_display_name_prefers_the_full_name(db: None) -> None:
    named = User.objects.create_user("hugo@example.com", first_name="Hugo", last_name="Leroy")
    anonymous = User.objects.create_user("redaction@example.com")

    assert named.display_name == "Hugo Leroy"
    assert anonymous.display_name == "redaction"
    assert str(anonymous) == "redaction@example.com"
