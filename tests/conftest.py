"""Shared personas (as in healthchecks' alice/bob/charlie) and test plumbing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from accounts.models import User
from magazine.roles import EDITORS_GROUP
from tests.chromium import browser  # noqa: F401 - one Chromium for tests/browser and journeys
from tests.factories import UserFactory

PASSWORD = "motdepasse-solide-42"


@pytest.fixture(autouse=True)
def _no_language_leak() -> Iterator[None]:
    """A request to /en/ leaves English active in the thread; the next test must not inherit it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: cached pages and licence ranges never leak across."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


# --- paywall personas (subscriptions) ---------------------------------------------------------


@pytest.fixture
def weekly_plan(db):  # type: ignore[no-untyped-def]
    """The headline weekly plan: "Hebdo", €2.49 a week."""
    from tests.factories import PlanFactory

    return PlanFactory(name="Hebdo", stripe_price_id="price_hebdo", amount=249, interval="week")


@pytest.fixture
def subscriber(weekly_plan) -> User:  # type: ignore[no-untyped-def]
    """A reader with an active weekly subscription."""
    from tests.factories import SubscriptionFactory

    user = UserFactory(email="abonne@example.com", first_name="Sami", last_name="Haddad")
    SubscriptionFactory(user=user, plan=weekly_plan, status="active")
    return user


@pytest.fixture
def lapsed_subscriber(weekly_plan) -> User:  # type: ignore[no-untyped-def]
    """A former subscriber whose subscription was canceled."""
    from tests.factories import SubscriptionFactory

    user = UserFactory(email="ancien-abonne@example.com", first_name="Inès", last_name="Roux")
    SubscriptionFactory(user=user, plan=weekly_plan, status="canceled")
    return user


@pytest.fixture
def complimentary_reader(db) -> User:  # type: ignore[no-untyped-def]
    """A reader with access offered by staff, current for the next thirty days."""
    from tests.factories import ComplimentaryAccessFactory

    user = UserFactory(email="invitee@example.com", first_name="Anne", last_name="Morel")
    ComplimentaryAccessFactory(user=user)
    return user


@pytest.fixture
def company_member(db) -> User:  # type: ignore[no-untyped-def]
    """A reader whose verified address is on the domain of a valid company licence."""
    from tests.factories import OrganisationFactory, verified_email

    user = UserFactory(email="agent@acme-relation.fr", first_name="Nora", last_name="Petit")
    verified_email(user)
    OrganisationFactory(name="Acme Relation", seats=5, domains=["acme-relation.fr"])
    return user


# --- events personas ---------------------------------------------------------------------------


@pytest.fixture
def event_staff(db) -> User:  # type: ignore[no-untyped-def]
    """A member of staff allowed to check attendees in (and nothing else)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(email="accueil@example.com", first_name="Malik", last_name="Ferrand")
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="checkin_registration"))
    return user
