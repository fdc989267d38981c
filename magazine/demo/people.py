"""The demo's accounts: one per role, all with the demo password, so that each can be tried.

Staff: the editor (Editors group), the marketer (Marketing) and the events staff (Événements),
each seeing only their part of the admin. Readers: a weekly subscriber, a company reader under
the Acme Relation licence and a plain registered reader, each with a verified address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.site import site_url
from magazine.demo import content
from paywall.models import ComplimentaryAccess, Organisation, OrganisationDomain
from subscriptions import stripe_gateway, sync
from subscriptions.models import Plan, Subscription


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    opens: str


def _assign(user: User, values: dict[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed = True
    return changed


def person_ensure(
    person: content.DemoPerson, *, staff: bool = False, group: Group | None = None
) -> tuple[User, bool, bool]:
    """The account of ``person`` with the demo password and a verified address."""
    user = User.objects.filter(email=person.email).first()
    created = user is None
    if user is None:
        user = User(email=person.email)
    changed = _assign(
        user,
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "is_staff": staff,
            "is_superuser": False,
            "is_active": True,
        },
    )
    # The printed password must work, even if someone changed it since the last run.
    if not user.check_password(content.DEMO_PASSWORD):
        user.set_password(content.DEMO_PASSWORD)
        changed = True
    if created or changed:
        user.save()
    if group is not None and not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        changed = True
    _verified_email_ensure(user)
    return user, created, changed


def _verified_email_ensure(user: User) -> None:
    # allauth may require a verified address before login, and company licences go by verified
    # addresses: every demo account just works.
    from allauth.account.models import EmailAddress

    address, _created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])


def staff_load(groups: dict[str, Group]) -> dict[str, tuple[User, bool, bool]]:
    """The editor, the marketer and the events staff, each in ``groups[role]``.

    Each app declares its own role (magazine.roles, newsletters.roles, events.roles); the
    load_demo command hands the groups over, so the magazine depends on neither of the others.
    """
    return {
        role: person_ensure(content.PEOPLE[role], staff=True, group=groups[role])
        for role in ("editor", "marketer", "events")
    }


def readers_load(*, now: datetime) -> dict[str, tuple[User, bool, bool]]:
    """The three readers; the company reader's licence is valid from a month ago for a year."""
    people = content.PEOPLE
    readers = {
        key: person_ensure(people[key]) for key in ("subscriber", "company_reader", "reader")
    }
    today = now.date()
    company_reader = readers["company_reader"][0]
    licence = Organisation.objects.filter(name=content.LICENCE_NAME).first()
    if licence is None:
        licence = Organisation(name=content.LICENCE_NAME, admin_contact=company_reader)
    licence.seats = max(licence.seats or 0, content.LICENCE_SEATS)
    licence.starts_on = min(licence.starts_on or today, today - timedelta(days=30))
    licence.ends_on = max(licence.ends_on or today, today + timedelta(days=365))
    licence.full_clean()
    licence.save()
    OrganisationDomain.objects.update_or_create(
        domain=content.LICENCE_DOMAIN, defaults={"organisation": licence}
    )
    return readers


class _PaysCheckouts(Protocol):
    """The Stripe simulator (the development app stripe_simulator) seen from the demo."""

    def complete_checkout(self, session_id: str) -> dict[str, Any]: ...


def subscription_ensure(*, user: User, granted_by: User, now: datetime) -> None:
    """An active weekly subscription, paid at the Stripe simulator (offered without one).

    With the simulator (``make run``) the reader goes through Checkout like any other, so the
    account page, invoices and the customer portal work. With real Stripe keys no card is
    charged: the demo subscriber gets a year of complimentary access instead, offered by
    ``granted_by``.
    """
    if Subscription.objects.filter(user=user).active().exists():
        return
    plan = Plan.objects.get(stripe_price_id=content.WEEKLY_PLAN)
    if not stripe_gateway.is_simulated():
        ComplimentaryAccess.objects.update_or_create(
            user=user,
            reason=content.DEMO_ACCESS_REASON,
            defaults={
                "granted_by": granted_by,
                "starts_at": now - timedelta(days=1),
                "ends_at": now + timedelta(days=365),
            },
        )
        return
    with translation.override(settings.LANGUAGE_CODE):
        success_url = site_url() + reverse("billing:checkout_return")
        cancel_url = site_url() + reverse("billing:plans")
    try:
        url = sync.checkout_start(
            user=user, plan=plan, success_url=success_url, cancel_url=cancel_url
        )
    except sync.AlreadySubscribed:
        return  # found at Stripe and synced
    found = re.search(r"cs_[A-Za-z0-9_]+", url)
    if found is None:
        raise RuntimeError(f"No Checkout Session in the simulator's address {url!r}")
    cast(_PaysCheckouts, stripe_gateway.simulator()).complete_checkout(found.group(0))
    sync.checkout_return_sync(user=user, session_id=found.group(0))


def accounts_summary() -> list[DemoAccount]:
    """What ``make run`` prints: each role, its login and what it opens."""
    people = content.PEOPLE
    return [
        DemoAccount(
            _("Editor"),
            people["editor"].email,
            _("admin: articles, rubriques, authors, images"),
        ),
        DemoAccount(
            _("Marketing"),
            people["marketer"].email,
            _("admin: newsletters, subscribers, segments, campaigns"),
        ),
        DemoAccount(
            _("Events staff"),
            people["events"].email,
            _("admin: events, tickets, registrations; the check-in desk"),
        ),
        DemoAccount(
            _("Weekly subscriber"),
            people["subscriber"].email,
            _("every article; the account page and its invoices"),
        ),
        DemoAccount(
            _("Company reader"),
            people["company_reader"].email,
            _("every article through the %(licence)s licence") % {"licence": content.LICENCE_NAME},
        ),
        DemoAccount(
            _("Registered reader"),
            people["reader"].email,
            _("free and registered articles, the monthly meter"),
        ),
    ]
