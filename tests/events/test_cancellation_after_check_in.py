"""Once an attendee has checked in (or the event has started), self-service cancellation is
closed; staff may still cancel and refund, with a reason the audit trail keeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Registration, RegistrationLog, TicketType
from events.roles import events_group_sync
from tests.events.helpers import register
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:events_registration_changelist")


@pytest.fixture
def paid_and_checked_in(paid_ticket: TicketType, stripe_sim, event_staff) -> Registration:  # type: ignore[no-untyped-def]
    registration = register(paid_ticket, "arrivee@example.com").registration
    registration.refresh_from_db()
    stripe_sim.complete_checkout(registration.stripe_checkout_session_id)
    result = services.registration_check_in(
        event=paid_ticket.event, code=registration.reference, actor=event_staff
    )
    assert result.status == services.CheckIn.OK
    registration.refresh_from_db()
    assert registration.paid_at is not None and registration.checked_in_at is not None
    return registration


@pytest.fixture
def organiser_client(client: Client) -> Client:
    """A member of the Événements group (the demo's events staff role)."""
    user = UserFactory(email="organisation@example.com", is_staff=True)
    user.groups.add(events_group_sync())
    client.force_login(user)
    return client


def test_checked_in_attendee_cannot_cancel_from_the_ticket_page(
    client: Client, paid_and_checked_in: Registration, stripe_sim
) -> None:
    registration = paid_and_checked_in
    cancel_url = reverse("events:ticket_cancel", args=[registration.token])

    page = client.get(registration.get_absolute_url()).content.decode()
    assert cancel_url not in page

    response = client.post(cancel_url)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Votre arrivée a été enregistrée à l’accueil\u00a0: l’inscription ne peut plus être "
        "annulée."
    ]
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.refunded_cents == 0
    assert stripe_sim.requests("POST", "/v1/refunds") == []


def test_attendee_cannot_cancel_once_the_event_has_started(
    client: Client, free_ticket: TicketType
) -> None:
    registration = register(free_ticket, "retard@example.com").registration
    cancel_url = reverse("events:ticket_cancel", args=[registration.token])
    assert cancel_url in client.get(registration.get_absolute_url()).content.decode()

    with time_machine.travel(free_ticket.event.starts_at + timedelta(minutes=5)):
        assert cancel_url not in client.get(registration.get_absolute_url()).content.decode()
        client.post(cancel_url)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_staff_cancel_needs_a_reason_after_check_in(paid_and_checked_in: Registration) -> None:
    with pytest.raises(services.RegistrationRefused) as refused:
        services.registration_cancel(
            registration=paid_and_checked_in, by_organiser=True, full_refund=True
        )
    assert refused.value.code == "reason_required"
    paid_and_checked_in.refresh_from_db()
    assert paid_and_checked_in.status == Registration.Status.CONFIRMED


def test_staff_refund_in_the_admin_asks_a_reason_and_logs_it(
    organiser_client: Client, paid_and_checked_in: Registration, stripe_sim
) -> None:
    registration = paid_and_checked_in
    action = {"action": "cancel_with_refund", "_selected_action": [registration.pk]}

    # The action first asks why; nothing is cancelled yet.
    asked = organiser_client.post(CHANGELIST, {**action, "index": 0})
    assert asked.status_code == 200
    assert (
        'name="reason"' in asked.content.decode()
        and registration.reference in asked.content.decode()
    )
    # An empty reason is refused with the form's error.
    empty = organiser_client.post(CHANGELIST, {**action, "reason": "  "})
    assert empty.status_code == 200 and empty.context["form"].errors
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED

    done = organiser_client.post(
        CHANGELIST, {**action, "reason": "Double paiement par l’entreprise"}
    )

    assert done.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.refunded_cents == registration.price_cents == 39000
    assert stripe_sim.get("refunds", registration.stripe_refund_id)["amount"] == 39000
    entry = registration.log_entries.get(action="cancelled_by_organiser")
    assert entry.detail == "reason=Double paiement par l’entreprise"
    assert entry.actor is not None and entry.actor.email == "organisation@example.com"
    assert registration.log_entries.filter(action="refunded").exists()


def test_a_cancellation_reason_is_erased_with_the_attendee(
    paid_and_checked_in: Registration, settings
) -> None:  # type: ignore[no-untyped-def]
    services.registration_cancel(
        registration=paid_and_checked_in, by_organiser=True, reason="Mme X. malade", notify=False
    )
    later = paid_and_checked_in.event.ends_at + timedelta(
        days=settings.EVENTS_ANONYMISE_AFTER_DAYS + 1
    )
    with time_machine.travel(later):
        assert services.registrations_anonymise(now=timezone.now()) == 1
    details = RegistrationLog.objects.filter(registration=paid_and_checked_in).values_list(
        "detail", flat=True
    )
    assert "reason=(erased)" in details
    assert not any("malade" in detail for detail in details)
