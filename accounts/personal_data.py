"""Personal data, app by app: each app registers how its own rows are exported and erased.

An app that stores something about a person registers a ``PersonalData`` from its
``AppConfig.ready()``: the sections it adds to "download my data", what must happen before
anything is erased (Stripe told to stop billing, which may refuse), how its rows are erased or
anonymised, and what the reader should hear of before deleting. It also names every foreign key
to the user model it holds, as erased or kept with the reason: tests/accounts/
test_personal_data.py walks the models and fails on one nobody named. accounts only runs the
registry (``accounts.data_export``, ``accounts.services``) and imports no other app.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.db.models import Q

if TYPE_CHECKING:
    from accounts.models import User

# What replaces a name on rows kept for accounting (invoices' reader, paid tickets).
DELETED_LABEL = "Compte supprimé"

Exporter = Callable[["User"], Any]


class ErasureRefused(Exception):
    """A step before the erasure failed (Stripe could not stop billing): erase nothing."""


@dataclass(frozen=True)
class Erasure:
    """One account being erased: what every app's eraser is given."""

    user: User
    # Every address of the account, lower-cased: rows made before signing in carry only those.
    emails: frozenset[str]
    now: datetime

    def of_the_person(self, user_field: str, email_field: str = "email") -> Q:
        """Rows linked to the account, or carrying one of its addresses."""
        return Q(**{user_field: self.user}) | by_email(email_field, self.emails)


@dataclass(frozen=True)
class PersonalData:
    """What one app holds about a person, and how to hand it over or erase it."""

    app_label: str  # the app's module path, as in INSTALLED_APPS
    # Sections of "download my data": name -> function of the user.
    exporters: Mapping[str, Exporter] = field(default_factory=dict)
    # Outside the erasure's transaction, before it; raises ErasureRefused to stop everything.
    before_erasure: Callable[[User], None] | None = None
    # Inside the transaction; the account row itself is left to accounts.services.
    eraser: Callable[[Erasure], None] | None = None
    # What the reader should know before deleting (a ticket for an upcoming event), or "".
    erasure_warning: Callable[[User], str] | None = None
    # Foreign keys to the user model, as "app_label.Model.field": those the eraser empties...
    erases: tuple[str, ...] = ()
    # ...and those it leaves in place, each with the reason.
    keeps: Mapping[str, str] = field(default_factory=dict)


_registry: dict[str, PersonalData] = {}


def register(entry: PersonalData) -> None:
    """Called from AppConfig.ready(); an app registering again replaces its entry."""
    _registry[entry.app_label] = entry


def registered() -> list[PersonalData]:
    """The entries of the installed apps, in the order the apps registered."""
    return [entry for entry in _registry.values() if apps.is_installed(entry.app_label)]


def account_emails(user: User) -> frozenset[str]:
    """The account's addresses, lower-cased: its login and every address allauth knows."""
    addresses = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    return frozenset({user.email.lower(), *(email.lower() for email in addresses)})


def by_email(field_name: str, emails: frozenset[str] | set[str]) -> Q:
    query = Q(pk__in=[])
    for email in emails:
        query |= Q(**{f"{field_name}__iexact": email})
    return query


def inert_email(pk: int, kind: str) -> str:
    """Unique per row (email columns may be unique), yet says nothing about the person."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{kind}:{pk}".encode()).hexdigest()[:20]
    return f"deleted-{digest}@invalid"


def when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def erasure_warnings(user: User) -> list[str]:
    """What the installed apps want the reader to know before they delete their account."""
    warnings = (entry.erasure_warning(user) for entry in registered() if entry.erasure_warning)
    return [warning for warning in warnings if warning]
