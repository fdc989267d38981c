"""Celery tasks: load rows by id, call a service or send one email. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from events import emails, services
from events.models import Event, EventMessage, Registration, WaitlistEntry


@shared_task
def registration_confirmation_send(registration_id: int) -> bool:
    """Send the ticket once (the claim on confirmation_sent_at makes a rerun a no-op)."""
    claimed = Registration.objects.filter(
        pk=registration_id, status=Registration.Status.CONFIRMED, confirmation_sent_at__isnull=True
    ).update(confirmation_sent_at=timezone.now())
    if not claimed:
        return False
    registration = Registration.objects.select_related("event__venue", "ticket_type").get(
        pk=registration_id
    )
    emails.confirmation_send(registration)
    return True


def _registration(registration_id: int) -> Registration | None:
    return (
        Registration.objects.select_related("event__venue", "ticket_type")
        .filter(pk=registration_id)
        .first()
    )


@shared_task
def registration_received_send(registration_id: int) -> None:
    registration = _registration(registration_id)
    if registration and registration.status == Registration.Status.PENDING_APPROVAL:
        emails.received_send(registration)


@shared_task
def registration_rejected_send(registration_id: int) -> None:
    registration = _registration(registration_id)
    if registration and registration.status == Registration.Status.REJECTED:
        emails.rejected_send(registration)


@shared_task
def registration_payment_request_send(registration_id: int) -> None:
    registration = _registration(registration_id)
    if registration and registration.status == Registration.Status.PENDING_PAYMENT:
        emails.payment_request_send(registration)


@shared_task
def registration_cancelled_send(registration_id: int) -> None:
    registration = _registration(registration_id)
    if registration and registration.anonymised_at is None:
        emails.cancelled_send(registration)


@shared_task
def waitlist_offer_send(entry_id: int) -> bool:
    claimed = WaitlistEntry.objects.filter(
        pk=entry_id, status=WaitlistEntry.Status.OFFERED, offer_sent_at__isnull=True
    ).update(offer_sent_at=timezone.now())
    if not claimed:
        return False
    entry = WaitlistEntry.objects.select_related("ticket_type__event").get(pk=entry_id)
    emails.waitlist_offer_send(entry)
    return True


@shared_task
def event_change_notify(event_id: int, changes: list[str]) -> int:
    event = Event.objects.select_related("venue").get(pk=event_id)
    return services.event_change_notify(event=event, changes=changes)


@shared_task
def event_message_send(message_id: int) -> int:
    return services.event_message_send(message=EventMessage.objects.get(pk=message_id))


@shared_task
def holds_expire() -> int:
    """Beat: release lapsed payment holds (every minute)."""
    return services.holds_expire()


@shared_task
def waitlist_offers_expire() -> int:
    """Beat: lapse waiting-list offers past their deadline and offer the seat on."""
    return services.waitlist_offers_expire()


@shared_task
def reminders_send() -> dict[str, int]:
    """Beat: the week-before and day-before reminders."""
    return services.reminders_send()


@shared_task
def registrations_anonymise() -> int:
    """Beat: erase attendees' personal data a set time after their event."""
    return services.registrations_anonymise()
