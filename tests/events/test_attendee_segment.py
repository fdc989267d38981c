"""Newsletters can go to the attendees of an event: the "event_attendees" segment."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from events.models import Registration
from newsletters.delivery import audience
from newsletters.models import Newsletter, Segment
from newsletters.segments import validate_rule
from tests.factories import (
    CampaignFactory,
    EventFactory,
    NewsletterFactory,
    RegistrationFactory,
    TicketTypeFactory,
    UserFactory,
)
from tests.newsletters.helpers import subscribe

pytestmark = pytest.mark.django_db


def _register(ticket: Any, email: str, status: str, user: Any = None) -> Registration:
    return RegistrationFactory(ticket_type=ticket, user=user, email=email, status=status)  # type: ignore[no-any-return]


def _audience(newsletter: Newsletter, rule: dict[str, Any]) -> set[str]:
    segment = Segment.objects.create(name=str(rule), rule=rule)
    campaign = CampaignFactory(newsletter=newsletter, segment=segment, subject="Rappel")
    return set(audience(campaign).values_list("email", flat=True))


def test_confirmed_attendees_of_that_event_only_by_account_or_address() -> None:
    letter = NewsletterFactory(slug="evenements", name="Événements")
    forum = TicketTypeFactory(event=EventFactory(slug="new-biz-forum-2026"))
    other = TicketTypeFactory(event=EventFactory(slug="ectff-2026"))
    account_holder = UserFactory(email="compte@example.com")
    for email in (
        "compte@example.com",
        "invite@example.com",
        "attente@example.com",
        "annule@example.com",
        "autre@example.com",
        "abonne-seul@example.com",
    ):
        subscribe(letter, email, user=account_holder if email == "compte@example.com" else None)
    # Booked with another address, but from the subscriber's account.
    _register(forum, "pro@entreprise.example", Registration.Status.CONFIRMED, user=account_holder)
    _register(forum, "INVITE@example.com", Registration.Status.CONFIRMED)
    _register(forum, "attente@example.com", Registration.Status.PENDING_PAYMENT)
    _register(forum, "annule@example.com", Registration.Status.CANCELLED)
    _register(other, "autre@example.com", Registration.Status.CONFIRMED)

    emails = _audience(letter, {"segment": "event_attendees", "event": "new-biz-forum-2026"})

    assert emails == {"compte@example.com", "invite@example.com"}


def test_an_unknown_event_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_rule({"segment": "event_attendees", "event": "pas-un-evenement"})

    assert refused.value.code == "unknown_event"
    assert "pas-un-evenement" in refused.value.messages[0]


def test_the_event_is_required() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_rule({"segment": "event_attendees"})

    assert refused.value.code == "missing_parameter"
