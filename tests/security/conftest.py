"""Personas and objects for the security tests: two readers who must not see each other's data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from tests.factories import (
    ArticleFactory,
    EventFactory,
    RegistrationFactory,
    TicketTypeFactory,
)

# The Stripe simulator behind the real gateway (tests/subscriptions/stripe_fixtures.py).
from tests.subscriptions.stripe_fixtures import stripe_sim  # noqa: F401


@pytest.fixture
def free_article(db: Any) -> Any:
    return ArticleFactory(access="free", title="Le centre de contacts de demain")


@pytest.fixture
def ticket_type(db: Any) -> Any:
    event = EventFactory(name="ECTFF", slug="ectff-securite")
    return TicketTypeFactory(event=event, name="Entrée forum", capacity=100)


@pytest.fixture
def others_gift(other_reader: User, free_article: Any) -> Any:
    from paywall.models import GiftLink

    now = timezone.now()
    return GiftLink.objects.create(
        sender=other_reader, article=free_article, created_at=now, expires_at=now + timedelta(30)
    )


@pytest.fixture
def others_registration(other_reader: User, ticket_type: Any) -> Any:
    return RegistrationFactory(
        ticket_type=ticket_type,
        user=other_reader,
        first_name="Paul",
        last_name="Marchand",
        email=other_reader.email,
    )


@pytest.fixture
def others_invoice(other_reader: User) -> Any:
    from subscriptions.models import Invoice

    return Invoice.objects.create(
        stripe_invoice_id="in_autre_lecteur",
        user=other_reader,
        number="RCM-0042",
        status="paid",
        amount_due=249,
        amount_paid=249,
        stripe_created=timezone.now(),
    )
