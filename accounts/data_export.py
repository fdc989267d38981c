"""“Download my data”: one JSON document assembled by a registry of per-app exporters.

Each exporter imports its models lazily and is skipped when its app is not installed, so an
installation without events or newsletters still exports the rest. A new app that stores
personal data registers an exporter here (tests/security/test_data_export.py checks the list).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User

Exporter = Callable[["User"], Any]


@dataclass(frozen=True)
class Registered:
    section: str
    app_label: str  # the app's module path, as in INSTALLED_APPS
    export: Exporter


EXPORTERS: list[Registered] = []


def exporter(section: str, *, app: str) -> Callable[[Exporter], Exporter]:
    def register(function: Exporter) -> Exporter:
        EXPORTERS.append(Registered(section, app, function))
        return function

    return register


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


@exporter("account", app="accounts")
def _account(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
    }
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        data["email_addresses"] = [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ]
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        # The kinds of second factor only: secrets and recovery codes never leave the server.
        data["two_factor_methods"] = sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        )
    return data


@exporter("subscriptions", app="subscriptions")
def _subscriptions(user: User) -> dict[str, Any]:
    from paywall.models import ComplimentaryAccess, Seat
    from subscriptions.models import Subscription

    return {
        "subscriptions": [
            {
                "plan": s.plan.name if s.plan else None,
                "status": s.status,
                "current_period_end": _when(s.current_period_end),
                "cancel_at_period_end": s.cancel_at_period_end,
                "started": _when(s.created_at),
            }
            for s in Subscription.objects.filter(user=user).select_related("plan")
        ],
        "complimentary_access": [
            {
                "reason": c.reason,
                "offered_by": c.offered_by_label,
                "starts_at": _when(c.starts_at),
                "ends_at": _when(c.ends_at),
            }
            for c in ComplimentaryAccess.objects.filter(user=user)
        ],
        "company_licence_seats": [
            {"organisation": seat.organisation.name, "since": _when(seat.claimed_at)}
            for seat in Seat.objects.filter(user=user).select_related("organisation")
        ],
    }


@exporter("invoices", app="subscriptions")
def _invoices(user: User) -> list[dict[str, Any]]:
    from subscriptions.models import Invoice

    return [
        {
            "number": i.number,
            "status": i.status,
            "amount_due_cents": i.amount_due,
            "amount_paid_cents": i.amount_paid,
            "currency": i.currency,
            "issued_at": _when(i.stripe_created),
            "invoice_page": i.hosted_invoice_url,
        }
        for i in Invoice.objects.filter(user=user)
    ]


@exporter("gift_links", app="subscriptions")
def _gift_links(user: User) -> list[dict[str, Any]]:
    from paywall.models import GiftLink

    return [
        {
            "article": g.article.title,
            "created_at": _when(g.created_at),
            "expires_at": _when(g.expires_at),
            "revoked_at": _when(g.revoked_at),
        }
        for g in GiftLink.objects.filter(sender=user).select_related("article")
    ]


@exporter("metered_reads", app="subscriptions")
def _meter(user: User) -> list[dict[str, Any]]:
    from paywall.models import MeterRead

    reads = MeterRead.objects.filter(period__user=user).select_related("article", "period")
    return [
        {"month": _when(r.period.month), "article": r.article.title, "read_at": _when(r.read_at)}
        for r in reads.order_by("read_at")
    ]


def _emails(user: User) -> set[str]:
    emails = {user.email.lower()}
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        emails.update(
            e.lower()
            for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        )
    return emails


def _by_email(field: str, emails: set[str]) -> Q:
    query = Q(pk__in=[])
    for email in emails:
        query |= Q(**{f"{field}__iexact": email})
    return query


@exporter("newsletters", app="newsletters")
def _newsletters(user: User) -> dict[str, Any]:
    from newsletters.models import ConsentRecord, Subscriber

    emails = _emails(user)
    subscribers = Subscriber.objects.filter(Q(user=user) | _by_email("email", emails))
    consents = ConsentRecord.objects.filter(_by_email("email", emails))
    return {
        "subscriptions": [
            {
                "newsletter": s.newsletter.name,
                "email": s.email,
                "status": s.status,
                "confirmed_at": _when(s.confirmed_at),
                "unsubscribed_at": _when(s.unsubscribed_at),
            }
            for s in subscribers.select_related("newsletter")
        ],
        "consents": [
            {
                "newsletter": c.newsletter.name,
                "email": c.email,
                "action": c.action,
                "source": c.source,
                "ip_address": c.ip_address,
                "wording": c.wording,
                "at": _when(c.created_at),
            }
            for c in consents.select_related("newsletter").order_by("created_at", "pk")
        ],
    }


@exporter("event_registrations", app="events")
def _events(user: User) -> dict[str, Any]:
    from events.models import Registration, WaitlistEntry

    emails = _emails(user)
    registrations = Registration.objects.filter(Q(user=user) | _by_email("email", emails))
    waitlist = WaitlistEntry.objects.filter(Q(user=user) | _by_email("email", emails))
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
                "registered_at": _when(r.created_at),
                "checked_in_at": _when(r.checked_in_at),
            }
            for r in registrations.select_related("event", "ticket_type")
        ],
        "waiting_lists": [
            {
                "event": w.ticket_type.event.name,
                "ticket": w.ticket_type.name,
                "status": w.status,
                "joined_at": _when(w.created_at),
            }
            for w in waitlist.select_related("ticket_type__event")
        ],
    }


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything the site holds about ``user``, by section, from every installed app."""
    data: dict[str, Any] = {"exported_at": timezone.now().isoformat()}
    for registered in EXPORTERS:
        if not apps.is_installed(registered.app_label):
            continue
        data[registered.section] = registered.export(user)
    return data


def user_data_json(*, user: User) -> str:
    return json.dumps(
        user_data_export(user=user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
