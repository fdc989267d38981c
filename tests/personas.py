"""The suite's personas, in one place (as healthchecks' alice, bob and charlie).

Loaded for every test by tests/conftest.py (``pytest_plugins``): ask for a persona by its
fixture name. Anything else a test needs is built with tests/factories.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.test import Client

from accounts.models import User
from magazine.roles import EDITORS_GROUP, editors_group_sync
from tests.factories import (
    ComplimentaryAccessFactory,
    OrganisationFactory,
    PlanFactory,
    SubscriptionFactory,
    UserFactory,
    verified_email,
)

# Every persona's password (UserFactory's).
PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def anonymous() -> AnonymousUser:
    return AnonymousUser()


@pytest.fixture
def reader(db: Any) -> User:
    """A registered reader without a subscription."""
    return UserFactory(email="lectrice@example.com", first_name="Léa", last_name="Bernard")


@pytest.fixture
def other_reader(db: Any) -> User:
    """A second reader, owner of objects the first must never reach."""
    return UserFactory(email="autre-lecteur@example.com", first_name="Paul", last_name="Marchand")


@pytest.fixture
def editor(db: Any) -> User:
    """A member of staff in the Editors group (not a superuser)."""
    user = UserFactory(email="redaction@example.com", first_name="Hugo", last_name="Leroy")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@pytest.fixture
def staff_member(db: Any, request: pytest.FixtureRequest) -> User:
    """The editor, in a test that runs after a transactional one."""
    # A transactional test elsewhere may have flushed the Editors group made by post_migrate.
    editors_group_sync()
    return request.getfixturevalue("editor")  # type: ignore[no-any-return]


@pytest.fixture
def superuser(db: Any) -> User:
    return User.objects.create_superuser(email="admin@example.com", password=PASSWORD)


@pytest.fixture
def reader_client(client: Client, reader: User) -> Client:
    client.force_login(reader)
    return client


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


# --- paywall personas (subscriptions) ---------------------------------------------------------


@pytest.fixture
def weekly_plan(db: Any) -> Any:
    """The headline weekly plan: "Hebdo", €2.49 a week."""
    return PlanFactory(name="Hebdo", stripe_price_id="price_hebdo", amount=249, interval="week")


@pytest.fixture
def subscriber(weekly_plan: Any) -> User:
    """A reader with an active weekly subscription."""
    user = UserFactory(email="abonne@example.com", first_name="Sami", last_name="Haddad")
    SubscriptionFactory(user=user, plan=weekly_plan, status="active")
    return user


@pytest.fixture
def lapsed_subscriber(weekly_plan: Any) -> User:
    """A former subscriber whose subscription was canceled."""
    user = UserFactory(email="ancien-abonne@example.com", first_name="Inès", last_name="Roux")
    SubscriptionFactory(user=user, plan=weekly_plan, status="canceled")
    return user


@pytest.fixture
def complimentary_reader(db: Any) -> User:
    """A reader with access offered by staff, current for the next thirty days."""
    user = UserFactory(email="invitee@example.com", first_name="Anne", last_name="Morel")
    ComplimentaryAccessFactory(user=user)
    return user


@pytest.fixture
def company_member(db: Any) -> User:
    """A corporate reader: their verified address is on the domain of a valid company licence."""
    user = UserFactory(email="agent@acme-relation.fr", first_name="Nora", last_name="Petit")
    verified_email(user)
    OrganisationFactory(name="Acme Relation", seats=5, domains=["acme-relation.fr"])
    return user


# --- events and newsletters staff --------------------------------------------------------------


@pytest.fixture
def event_staff(db: Any) -> User:
    """A member of staff allowed to check attendees in (and nothing else)."""
    user = UserFactory(email="accueil@example.com", first_name="Malik", last_name="Ferrand")
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="checkin_registration"))
    return user


@pytest.fixture
def marketer(db: Any) -> User:
    """Staff with every newsletter permission (not a superuser)."""
    user = UserFactory(email="marketing@example.com", is_staff=True)
    group, _ = Group.objects.get_or_create(name="Marketing (tests)")
    group.permissions.set(Permission.objects.filter(content_type__app_label="newsletters"))
    user.groups.add(group)
    return user


@pytest.fixture
def marketer_client(client: Client, marketer: User) -> Client:
    client.force_login(marketer)
    return client
