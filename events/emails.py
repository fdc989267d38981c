"""Emails to attendees, each with a plain-text and an HTML part, through Django's backends."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.site import site_url
from events.ics import event_calendar, ics_filename
from events.models import Event, EventMessage, Registration, WaitlistEntry
from events.qr import ticket_qr_png


def _absolute(path: str) -> str:
    return f"{site_url()}{path}"


def _message(
    *, template: str, subject: str, to: str, context: dict[str, Any], reply_to: str = ""
) -> EmailMultiAlternatives:
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": site_url(), **context}
    text = render_to_string(f"emails/events/{template}.txt", context)
    html = render_to_string(f"emails/events/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=text,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    return message


def _registration_context(registration: Registration) -> dict[str, Any]:
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "venue": event.venue,
        "ticket_url": _absolute(registration.get_absolute_url()),
        "event_url": _absolute(event.get_absolute_url()),
    }


def confirmation_send(registration: Registration) -> None:
    """The ticket: .ics attached, and the QR code both attached and on the ticket page."""
    event = registration.event
    message = _message(
        template="confirmation",
        subject=_("Your registration for %(event)s is confirmed") % {"event": event},
        to=registration.email,
        context=_registration_context(registration),
        reply_to=event.organiser_email,
    )
    message.attach(
        ics_filename(event), event_calendar(event, registration=registration), "text/calendar"
    )
    message.attach(f"billet-{registration.reference}.png", ticket_qr_png(registration), "image/png")
    message.send()


def received_send(registration: Registration) -> None:
    _message(
        template="received",
        subject=_("Your request for %(event)s has been received") % {"event": registration.event},
        to=registration.email,
        context=_registration_context(registration),
    ).send()


def rejected_send(registration: Registration) -> None:
    _message(
        template="rejected",
        subject=_("Your request for %(event)s") % {"event": registration.event},
        to=registration.email,
        context=_registration_context(registration),
    ).send()


def payment_request_send(registration: Registration) -> None:
    _message(
        template="payment_request",
        subject=_("Your seat at %(event)s is waiting for payment") % {"event": registration.event},
        to=registration.email,
        context=_registration_context(registration),
    ).send()


def reminder_send(registration: Registration, *, kind: str) -> None:
    event = registration.event
    subject = (_("Tomorrow: %(event)s") if kind == "day" else _("In a week: %(event)s")) % {
        "event": event
    }
    message = _message(
        template="reminder",
        subject=subject,
        to=registration.email,
        context={**_registration_context(registration), "kind": kind},
        reply_to=event.organiser_email,
    )
    message.attach(
        ics_filename(event), event_calendar(event, registration=registration), "text/calendar"
    )
    message.send()


def cancelled_send(registration: Registration) -> None:
    _message(
        template="cancelled",
        subject=_("Your registration for %(event)s is cancelled") % {"event": registration.event},
        to=registration.email,
        context=_registration_context(registration),
    ).send()


def change_notice_send(registration: Registration, *, changes: list[str]) -> None:
    event = registration.event
    subject = (
        _("Cancelled: %(event)s")
        if event.status == Event.Status.CANCELLED
        else _("Postponed: %(event)s")
        if event.status == Event.Status.POSTPONED
        else _("Change to %(event)s")
    ) % {"event": event}
    message = _message(
        template="change",
        subject=subject,
        to=registration.email,
        context={**_registration_context(registration), "changes": changes},
        reply_to=event.organiser_email,
    )
    message.attach(
        ics_filename(event), event_calendar(event, registration=registration), "text/calendar"
    )
    message.send()


def waitlist_offer_send(entry: WaitlistEntry) -> None:
    event = entry.ticket_type.event
    _message(
        template="waitlist_offer",
        subject=_("A seat is free for you at %(event)s") % {"event": event},
        to=entry.email,
        context={
            "entry": entry,
            "event": event,
            "offer_url": _absolute(entry.get_absolute_url()),
            "event_url": _absolute(event.get_absolute_url()),
        },
    ).send()


def event_message_send(message: EventMessage, *, recipients: list[tuple[str, str]]) -> None:
    """One email per recipient (never a visible list of addresses), over one connection."""
    event = message.event
    with get_connection() as connection:
        for email, first_name in recipients:
            email_message = _message(
                template="message",
                subject=message.subject,
                to=email,
                context={
                    "message": message,
                    "event": event,
                    "first_name": first_name,
                    "event_url": _absolute(event.get_absolute_url()),
                },
                reply_to=event.organiser_email,
            )
            email_message.connection = connection
            email_message.send()
