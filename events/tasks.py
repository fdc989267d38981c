"""Celery tasks: load rows by id, call a service or send one email. Safe to run twice.

The email tasks are owed through core.outbox (written with the change that calls for them), so
a lost message or a dead worker only delays them. A task that finds its row no longer calls
for the email sends nothing; the ticket and the waiting-list offer are marked sent only once
the mail server has accepted them.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from events import emails, services
from events.models import Event, EventMessage, Registration, WaitlistEntry


def _registration(registration_id: int) -> Registration | None:
    return (
        Registration.objects.select_related("event__venue", "ticket_type")
        .filter(pk=registration_id)
        .first()
    )


@shared_task
def registration_confirmation_send(registration_id: int) -> bool:
    """Send the ticket unless it was sent already; True if sent now."""
    registration = _registration(registration_id)
    if (
        registration is None
        or registration.status != Registration.Status.CONFIRMED
        or registration.confirmation_sent_at is not None
    ):
        return False
    emails.confirmation_send(registration)
    Registration.objects.filter(pk=registration_id).update(confirmation_sent_at=timezone.now())
    return True


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
def registration_reminder_send(registration_id: int, kind: str) -> None:
    """One reminder ("week" or "day") that reminders_send found due."""
    registration = _registration(registration_id)
    if (
        registration
        and registration.status == Registration.Status.CONFIRMED
        and registration.event.status == Event.Status.SCHEDULED
        and registration.event.starts_at > timezone.now()
    ):
        emails.reminder_send(registration, kind=kind)


@shared_task
def registration_change_notice_send(registration_id: int, changes: list[str]) -> None:
    registration = _registration(registration_id)
    if registration and registration.is_active and registration.anonymised_at is None:
        emails.change_notice_send(registration, changes=changes)


@shared_task
def waitlist_offer_send(entry_id: int) -> bool:
    """Send the offer of a seat unless it was sent already; True if sent now."""
    entry = WaitlistEntry.objects.select_related("ticket_type__event").filter(pk=entry_id).first()
    if (
        entry is None
        or entry.status != WaitlistEntry.Status.OFFERED
        or entry.offer_sent_at is not None
    ):
        return False
    emails.waitlist_offer_send(entry)
    WaitlistEntry.objects.filter(pk=entry_id).update(offer_sent_at=timezone.now())
    return True


@shared_task
def event_message_deliver(
    message_id: int, registration_id: int | None = None, entry_id: int | None = None
) -> None:
    """One recipient's copy of an organisers' message (an attendee or a waiting-list entry)."""
    message = EventMessage.objects.select_related("event").filter(pk=message_id).first()
    if message is None:
        return
    recipient: Registration | WaitlistEntry | None = None
    if registration_id is not None:
        recipient = Registration.objects.filter(
            pk=registration_id, anonymised_at__isnull=True
        ).first()
    elif entry_id is not None:
        recipient = WaitlistEntry.objects.filter(pk=entry_id).first()
    if recipient is not None:
        emails.event_message_send(message, recipients=[(recipient.email, recipient.first_name)])


@shared_task
def event_change_notify(event_id: int, changes: list[str]) -> int:
    """Owe the attendees a notice of the change (kept for messages queued before the outbox)."""
    event = Event.objects.get(pk=event_id)
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
