"""Paid tickets: a hold, Stripe Checkout through the gateway (simulated), the webhook confirms."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from events import services
from events.models import Registration, TicketType
from tests.events.helpers import register
from tests.subscriptions.stripe_fixtures import event_for, signed_post

pytestmark = pytest.mark.django_db


def test_paid_ticket_is_held_then_confirmed_by_the_webhook_once(
    paid_ticket: TicketType, stripe_sim, django_capture_on_commit_callbacks
) -> None:
    result = register(paid_ticket, "payeur@example.com")
    registration = result.registration
    assert result.outcome == services.Outcome.PENDING_PAYMENT
    assert registration.status == Registration.Status.PENDING_PAYMENT
    assert registration.hold_expires_at is not None
    assert result.checkout_url
    registration.refresh_from_db()
    session_id = registration.stripe_checkout_session_id
    session = stripe_sim.checkout_session(session_id)
    assert session["mode"] == "payment"
    assert session["amount_total"] == 39000
    assert mail.outbox == []  # nothing is confirmed before the money is in

    with django_capture_on_commit_callbacks(execute=True):
        stripe_sim.complete_checkout(session_id)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.paid_at is not None
    assert registration.stripe_payment_intent_id.startswith("pi_")
    assert len(mail.outbox) == 1

    # The same event delivered again, then another event for the same session: still one seat.
    completed = stripe_sim.events("checkout.session.completed")[-1]
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(client, completed).status_code == 200
        retried = event_for("checkout.session.completed", completed["data"]["object"], "evt_retry")
        assert signed_post(client, retried).status_code == 200
    assert Registration.objects.count() == 1
    assert Registration.objects.get().status == Registration.Status.CONFIRMED
    assert len(mail.outbox) == 1
    assert [e.action for e in registration.log_entries.all()] == [
        "created",
        "checkout_started",
        "payment_confirmed",
    ]


def test_unpaid_hold_expires_and_frees_its_seat(paid_ticket: TicketType, stripe_sim) -> None:
    paid_ticket.capacity = 1
    paid_ticket.save()
    held = register(paid_ticket, "slow@example.com").registration
    with pytest.raises(services.RegistrationRefused):
        register(paid_ticket, "other@example.com")

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert services.holds_expire() == 1
        held.refresh_from_db()
        assert held.status == Registration.Status.EXPIRED
        assert (
            register(paid_ticket, "other@example.com").outcome == services.Outcome.PENDING_PAYMENT
        )


def test_payment_after_the_seat_was_lost_is_refunded(
    paid_ticket: TicketType, stripe_sim, django_capture_on_commit_callbacks
) -> None:
    paid_ticket.capacity = 1
    paid_ticket.save()
    late = register(paid_ticket, "late@example.com").registration
    late.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        services.holds_expire()
        register(paid_ticket, "quick@example.com", discount_code="")  # takes the freed seat
    Registration.objects.filter(email="quick@example.com").update(
        status=Registration.Status.CONFIRMED
    )

    with django_capture_on_commit_callbacks(execute=True):
        stripe_sim.complete_checkout(late.stripe_checkout_session_id)

    late.refresh_from_db()
    assert late.status == Registration.Status.EXPIRED
    assert late.refunded_cents == 39000
    refund = stripe_sim.get("refunds", late.stripe_refund_id)
    assert refund["amount"] == 39000
    assert Registration.objects.confirmed().filter(ticket_type=paid_ticket).count() == 1


def test_cancelling_a_paid_ticket_refunds_it_under_the_policy(
    paid_ticket: TicketType, stripe_sim, django_capture_on_commit_callbacks
) -> None:
    registration = register(paid_ticket, "annule@example.com").registration
    registration.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        stripe_sim.complete_checkout(registration.stripe_checkout_session_id)
    registration.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.refunded_cents == 39000
    assert stripe_sim.get("refunds", registration.stripe_refund_id)["payment_intent"] == (
        registration.stripe_payment_intent_id
    )
    # Cancelling again neither refunds twice nor fails.
    services.registration_cancel(registration=registration)
    assert len(stripe_sim.requests("POST", "/v1/refunds")) == 1


def test_no_refund_after_the_policy_deadline(
    paid_ticket: TicketType, stripe_sim, django_capture_on_commit_callbacks
) -> None:
    registration = register(paid_ticket, "tard@example.com").registration
    registration.refresh_from_db()
    stripe_sim.complete_checkout(registration.stripe_checkout_session_id)
    deadline = paid_ticket.event.refund_deadline()

    services.registration_cancel(registration=registration, now=deadline + timedelta(hours=1))

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.refunded_cents == 0
    assert stripe_sim.requests("POST", "/v1/refunds") == []
