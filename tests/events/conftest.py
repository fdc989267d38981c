from __future__ import annotations

from typing import Any

import pytest

from events.models import Event, Session, TicketType
from tests.factories import EventFactory, SessionFactory, SpeakerFactory, TicketTypeFactory

# The Stripe simulator behind the real gateway (the stripe helper's fixture).
from tests.subscriptions.stripe_fixtures import stripe_sim  # noqa: F401


@pytest.fixture
def event(db: Any) -> Event:
    return EventFactory(name="ECTFF", slug="ectff-13", edition="13e édition")


@pytest.fixture
def masterclass(event: Event) -> Session:
    session = SessionFactory(
        event=event,
        title="Master class : un parcours, tous les canaux",
        capacity=30,
        track="Master classes",
    )
    session.speakers.add(
        SpeakerFactory(name="Amélia Newsom-Davis", slug="amelia-newsom-davis", company="Orange")
    )
    return session


@pytest.fixture
def masterclass_ticket(event: Event, masterclass: Session) -> TicketType:
    return TicketTypeFactory(
        event=event, session=masterclass, capacity=None, name="Master class Orange"
    )


@pytest.fixture
def free_ticket(event: Event) -> TicketType:
    return TicketTypeFactory(event=event, name="Entrée forum", capacity=100)


@pytest.fixture
def paid_ticket(event: Event) -> TicketType:
    return TicketTypeFactory(
        event=event, name="Pass forum", capacity=20, price_cents=39000, subscriber_price_cents=29000
    )
