"""Shared personas (as in healthchecks' alice/bob/charlie) and test plumbing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from magazine.roles import EDITORS_GROUP
from tests.factories import UserFactory

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def reader(db) -> User:  # type: ignore[no-untyped-def]
    """A registered reader without a subscription."""
    return UserFactory(email="lectrice@example.com", first_name="Léa", last_name="Bernard")


@pytest.fixture
def editor(db) -> User:  # type: ignore[no-untyped-def]
    """A member of staff in the Editors group (not a superuser)."""
    user = UserFactory(email="redaction@example.com", first_name="Hugo", last_name="Leroy")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@pytest.fixture
def reader_client(client: Client, reader: User) -> Client:
    client.force_login(reader)
    return client


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client
