"""What events hold about a reader, for "download my data" and account deletion.

Registered in accounts.personal_data by EventsConfig.ready(). Registrations are also made
without an account, so rows are found by account and by every account address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.personal_data import (
    DELETED_LABEL,
    Erasure,
    PersonalData,
    account_emails,
    by_email,
    inert_email,
    when,
)
from events.models import Registration, RegistrationLog, WaitlistEntry

if TYPE_CHECKING:
    from accounts.models import User


def _event_registrations(user: User) -> dict[str, Any]:
    emails = account_emails(user)
    registrations = Registration.objects.filter(Q(user=user) | by_email("email", emails))
    waitlist = WaitlistEntry.objects.filter(Q(user=user) | by_email("email", emails))
    return {
        "registrations": [
            {
                "reference": r.reference,
                "event": r.event.name,
                "ticket": r.ticket_type.name,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "email": r.email,
                "company": r.company,
                "job_title": r.job_title,
                "answers": r.answers,
                "status": r.status,
                "price_cents": r.price_cents,
                "currency": r.currency,
                "registered_at": when(r.created_at),
                "checked_in_at": when(r.checked_in_at),
            }
            for r in registrations.select_related("event", "ticket_type")
        ],
        "waiting_lists": [
            {
                "event": w.ticket_type.event.name,
                "ticket": w.ticket_type.name,
                "status": w.status,
                "joined_at": when(w.created_at),
            }
            for w in waitlist.select_related("ticket_type__event")
        ],
    }


def _erase(erasure: Erasure) -> None:
    registrations = list(Registration.objects.filter(erasure.of_the_person("user")))
    for registration in registrations:
        # Kept for the accounts and the event's statistics; nothing left names the person.
        registration.user = None
        registration.first_name = DELETED_LABEL
        registration.last_name = ""
        registration.email = inert_email(registration.pk, "registration")
        registration.company = ""
        registration.job_title = ""
        registration.answers = {}
        registration.anonymised_at = erasure.now
        registration.save()
    RegistrationLog.objects.bulk_create(
        RegistrationLog(
            registration=r, at=erasure.now, action="anonymised", detail="account deleted"
        )
        for r in registrations
    )
    WaitlistEntry.objects.filter(erasure.of_the_person("user")).delete()


def _erasure_warning(user: User) -> str:
    upcoming = (
        Registration.objects.filter(
            user=user,
            status__in=Registration.ACTIVE_STATUSES,
            event__ends_at__gt=timezone.now(),
        )
        .distinct()
        .count()
    )
    if not upcoming:
        return ""
    return ngettext(
        "You hold a ticket for an upcoming event: it will no longer bear your name. "
        "Cancel it first from its page if you will not attend.",
        "You hold %(counter)s tickets for upcoming events: they will no longer bear your name. "
        "Cancel them first from their pages if you will not attend.",
        upcoming,
    ) % {"counter": upcoming}


_STAFF = "the member of staff who did it, not the attendee"

PERSONAL_DATA = PersonalData(
    app_label="events",
    exporters={"event_registrations": _event_registrations},
    eraser=_erase,
    erasure_warning=_erasure_warning,
    erases=("events.Registration.user", "events.WaitlistEntry.user"),
    keeps={
        "events.Registration.checked_in_by": _STAFF,
        "events.RegistrationLog.actor": _STAFF,
        "events.EventMessage.created_by": _STAFF,
    },
)
