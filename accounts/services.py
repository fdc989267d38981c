"""Account workflows: deleting an account (the reader's right to erasure)."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# What replaces a name on rows kept for accounting (invoices' reader, paid tickets).
DELETED_LABEL = "Compte supprimé"


class AccountDeletionFailed(Exception):
    """Stripe could not be told to stop billing: nothing was deleted, the reader may retry."""


def _inert_email(user_pk: int, kind: str) -> str:
    # Unique per account (email columns are unique), yet says nothing about the person.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{kind}:{user_pk}".encode()).hexdigest()[:20]
    return f"deleted-{digest}@invalid"


def _subscriptions_stop(user: User) -> None:
    """Ask Stripe to end every live subscription at the end of the period already paid for."""
    if not apps.is_installed("subscriptions"):
        return
    from subscriptions import stripe_gateway
    from subscriptions.models import Subscription
    from subscriptions.querysets import POSSIBLY_ENTITLED_STATUSES
    from subscriptions.sync import subscription_sync

    live = Subscription.objects.filter(
        user=user,
        status__in=POSSIBLY_ENTITLED_STATUSES,
        stripe_subscription_id__isnull=False,
    ).exclude(cancel_at_period_end=True)
    for subscription in live:
        stripe_id = subscription.stripe_subscription_id
        if stripe_id is None:  # Excluded by the query already; this narrows the type.
            continue
        try:
            updated = stripe_gateway.subscription_update(stripe_id, {"cancel_at_period_end": True})
        except stripe_gateway.GatewayError as exc:
            logger.warning("account deletion: Stripe refused to stop %s", subscription.pk)
            raise AccountDeletionFailed from exc
        subscription_sync(stripe_subscription=updated)


def _newsletters_withdraw(user: User, emails: set[str], now: datetime) -> None:
    if not apps.is_installed("newsletters"):
        return
    from newsletters import services as newsletter_services
    from newsletters.models import ConsentRecord, Delivery, Subscriber

    by_email = Q(pk__in=[])
    for email in emails:
        by_email |= Q(email__iexact=email)
    subscribers = Subscriber.objects.filter(Q(user=user) | by_email).select_related("newsletter")
    for subscriber in subscribers:
        # Records the withdrawal in the consent log and suppresses the address: the proof that
        # sending stopped outlives the subscription.
        newsletter_services.unsubscribe(
            email=subscriber.email,
            newsletter=subscriber.newsletter,
            source=ConsentRecord.Source.ACCOUNT,
            now=now,
        )
    Subscriber.objects.filter(Q(user=user) | by_email).delete()
    Delivery.objects.filter(user_id=user.pk).update(
        user=None, email=_inert_email(user.pk, "delivery")
    )


def _events_anonymise(user: User, emails: set[str], now: datetime) -> None:
    if not apps.is_installed("events"):
        return
    from events.models import Registration, RegistrationLog, WaitlistEntry

    by_email = Q(pk__in=[])
    for email in emails:
        by_email |= Q(email__iexact=email)
    registrations = list(Registration.objects.filter(Q(user=user) | by_email))
    for registration in registrations:
        # Kept for the accounts and the event's statistics; nothing left names the person.
        registration.user = None
        registration.first_name = DELETED_LABEL
        registration.last_name = ""
        registration.email = _inert_email(registration.pk, "registration")
        registration.company = ""
        registration.job_title = ""
        registration.answers = {}
        registration.anonymised_at = now
        registration.save()
    RegistrationLog.objects.bulk_create(
        RegistrationLog(registration=r, at=now, action="anonymised", detail="account deleted")
        for r in registrations
    )
    WaitlistEntry.objects.filter(Q(user=user) | by_email).delete()


def _subscriptions_data_delete(user: User) -> None:
    if not apps.is_installed("subscriptions"):
        return
    from paywall.models import ComplimentaryAccess, GiftLink, MeterPeriod, Seat

    # Invoices, subscriptions and the Stripe customer stay: accounting needs them, and they now
    # point at an anonymous account.
    GiftLink.objects.filter(sender=user).delete()
    MeterPeriod.objects.filter(user=user).delete()
    Seat.objects.filter(user=user).delete()
    ComplimentaryAccess.objects.filter(user=user).delete()


def account_delete(*, user: User, now: datetime | None = None) -> None:
    """Erase a reader's personal data, keeping anonymised what the accounts must keep.

    Raises AccountDeletionFailed, having changed nothing, when Stripe cannot stop billing.
    """
    now = now or timezone.now()
    _subscriptions_stop(user)
    from allauth.account.models import EmailAddress

    emails = {user.email.lower()} | {
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    with transaction.atomic():
        _newsletters_withdraw(user, emails, now)
        _events_anonymise(user, emails, now)
        _subscriptions_data_delete(user)
        EmailAddress.objects.filter(user=user).delete()
        if apps.is_installed("allauth.mfa"):
            from allauth.mfa.models import Authenticator

            Authenticator.objects.filter(user=user).delete()
        user.email = _inert_email(user.pk, "user")
        user.first_name = DELETED_LABEL
        user.last_name = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        # A new password hash also invalidates every session on other devices.
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
