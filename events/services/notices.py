"""Reminders, notices of changes and cancellation, messages to attendees, anonymisation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from events.models import (
    Event,
    EventMessage,
    Registration,
    RegistrationLog,
    WaitlistEntry,
)
from events.services.common import REASON_PREFIX, _owe
from events.services.registration import registration_cancel


def reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Send the week-before and day-before reminders that are due, each once.

    Each reminder is claimed and owed (core.outbox) in one transaction, then sent here: a worker
    that dies before sending leaves it to the outbox sweeper, never lost.
    """
    from core import outbox

    now = now or timezone.now()
    sent = {"week": 0, "day": 0}
    base = Registration.objects.confirmed().filter(
        event__status=Event.Status.SCHEDULED, event__starts_at__gt=now
    )
    windows = (
        ("day", "reminder_day_sent_at", timedelta(days=1)),
        ("week", "reminder_week_sent_at", timedelta(days=7)),
    )
    for kind, field, ahead in windows:
        due = base.filter(event__starts_at__lte=now + ahead, **{f"{field}__isnull": True})
        if kind == "week":
            # Someone who registers the day before gets the day reminder only.
            due = due.filter(event__starts_at__gt=now + timedelta(days=1))
        for registration_id in due.values_list("pk", flat=True):
            with transaction.atomic():
                # Claim first: a second worker running the same beat finds nothing.
                claimed = Registration.objects.filter(
                    pk=registration_id, **{f"{field}__isnull": True}
                ).update(**{field: now})
                if not claimed:
                    continue
                if kind == "day":  # the week reminder would now say the same thing a day late
                    Registration.objects.filter(
                        pk=registration_id, reminder_week_sent_at__isnull=True
                    ).update(reminder_week_sent_at=now)
                owed = _owe(
                    "registration_reminder_send",
                    publish=False,
                    registration_id=registration_id,
                    kind=kind,
                )
            outbox.run(owed)
            sent[kind] += 1
    return sent


def event_change_notify(*, event: Event, changes: list[str]) -> int:
    """Tell attendees that the date, place or status of their event has changed.

    Call it in the transaction that saves the change: one notice per registration is owed
    (core.outbox) with it, and workers send them once it commits. Returns how many.
    """
    from core import outbox
    from events import tasks

    ids = list(Registration.objects.active().filter(event=event).values_list("pk", flat=True))
    outbox.enqueue_many(
        tasks.registration_change_notice_send,
        [{"registration_id": pk, "changes": changes} for pk in ids],
    )
    return len(ids)


def event_cancel(*, event: Event, actor: Any = None) -> int:
    """Cancel the whole event: every registration is cancelled, refunded and told."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "updated_at"])
    count = 0
    for registration in Registration.objects.active().filter(event=event):
        registration_cancel(
            registration=registration,
            actor=actor,
            by_organiser=True,
            full_refund=True,
            reason="event cancelled",
        )
        count += 1
    WaitlistEntry.objects.filter(
        ticket_type__event=event,
        status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
    ).update(status=WaitlistEntry.Status.LEFT)
    return count


def event_message_send(*, message: EventMessage) -> int:
    """Send an organisers' message to its audience, once; returns how many recipients.

    The message is marked sent and one copy per recipient owed (core.outbox) in one
    transaction; workers send the copies once it commits.
    """
    from core import outbox
    from events import tasks

    with transaction.atomic():
        claimed = EventMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if not claimed:
            return 0
        message.refresh_from_db()
        if message.audience == EventMessage.Audience.ATTENDEES:
            key = "registration_id"
            recipients = list(
                Registration.objects.confirmed()
                .filter(event=message.event)
                .order_by("pk")
                .values_list("email", "pk")
            )
        else:
            key = "entry_id"
            recipients = list(
                WaitlistEntry.objects.filter(
                    ticket_type__event=message.event,
                    status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
                )
                .order_by("pk")
                .values_list("email", "pk")
            )
        unique: dict[str, int] = {}
        for email, pk in recipients:  # one email per address, even with several tickets
            unique.setdefault(email, pk)
        EventMessage.objects.filter(pk=message.pk).update(recipients_count=len(unique))
        outbox.enqueue_many(
            tasks.event_message_deliver,
            [{"message_id": message.pk, key: pk} for pk in unique.values()],
        )
    return len(unique)


ANONYMOUS = "—"


def registrations_anonymise(*, now: datetime | None = None) -> int:
    """Erase attendees' personal data once their event ended EVENTS_ANONYMISE_AFTER_DAYS ago.

    Counts, statuses, prices and check-in times stay for the statistics.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EVENTS_ANONYMISE_AFTER_DAYS)
    with transaction.atomic():
        registrations = Registration.objects.filter(
            event__ends_at__lte=cutoff, anonymised_at__isnull=True
        )
        ids = list(registrations.values_list("pk", flat=True))
        Registration.objects.filter(pk__in=ids).update(
            user=None,
            first_name=ANONYMOUS,
            last_name="",
            # The active-registration index is per email: each row gets a unique, inert one.
            email=Concat(Value("anonymised-"), Cast("pk", CharField()), Value("@invalid")),
            company="",
            job_title="",
            answers={},
            anonymised_at=now,
        )
        # Staff write the reasons of their cancellations: the one free text of the audit trail.
        RegistrationLog.objects.filter(
            registration_id__in=ids, detail__startswith=REASON_PREFIX
        ).update(detail=f"{REASON_PREFIX}(erased)")
        RegistrationLog.objects.bulk_create(
            RegistrationLog(registration_id=pk, at=now, action="anonymised") for pk in ids
        )
        WaitlistEntry.objects.filter(ticket_type__event__ends_at__lte=cutoff).delete()
    return len(ids)
