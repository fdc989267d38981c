"""The licence page: the organisation's admin contact sees who holds its seats; nobody else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from paywall.models import Organisation, Seat
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact() -> User:
    return UserFactory(email="drh@acme-relation.fr")


@pytest.fixture
def organisation(contact: User) -> Organisation:
    organisation = OrganisationFactory(name="Acme Relation", seats=3, admin_contact=contact)
    Seat.objects.create(organisation=organisation, user=UserFactory(email="agent1@acme.fr"))
    return organisation


def test_admin_contact_sees_who_uses_the_seats(
    client: Client, contact: User, organisation: Organisation
) -> None:
    client.force_login(contact)

    response = client.get(reverse("paywall:licence_seats", args=[organisation.pk]))

    assert response.status_code == 200
    assert "agent1@acme.fr" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_licence_index_leads_the_contact_to_their_organisation(
    client: Client, contact: User, organisation: Organisation
) -> None:
    client.force_login(contact)

    response = client.get(reverse("paywall:licences"))

    assert response["Location"] == reverse("paywall:licence_seats", args=[organisation.pk])


def test_other_readers_are_refused(client: Client, organisation: Organisation) -> None:
    client.force_login(UserFactory())

    url = reverse("paywall:licence_seats", args=[organisation.pk])
    response = client.get(url)

    assert response.status_code == 403
    assert "agent1@acme.fr" not in response.content.decode()
    assert client.get(reverse("paywall:licences")).status_code == 404


def test_anonymous_visitors_must_log_in(client: Client, organisation: Organisation) -> None:
    response = client.get(reverse("paywall:licence_seats", args=[organisation.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_organisation_is_not_found(client: Client, contact: User) -> None:
    client.force_login(contact)

    assert client.get(reverse("paywall:licence_seats", args=[999999])).status_code == 404
