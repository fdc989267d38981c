"""Helpers of the events tests."""

from __future__ import annotations

from typing import Any

from events import services
from events.models import TicketType


def register(ticket_type: TicketType, email: str, **extra: Any) -> Any:
    """Register ``email`` for ``ticket_type`` through the service, as the registration form does."""
    return services.registration_create(
        event=ticket_type.event,
        ticket_type=ticket_type,
        first_name=extra.pop("first_name", "Camille"),
        last_name=extra.pop("last_name", "Durand"),
        email=email,
        consent=True,
        success_url="http://testserver/evenements/paiement/retour/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="http://testserver/evenements/",
        **extra,
    )
