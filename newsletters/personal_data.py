"""What the newsletters hold about a reader, for "download my data" and account deletion.

Registered in accounts.personal_data by NewslettersConfig.ready(). Subscriptions made before
signing up carry only an address, so rows are found by account and by every account address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from accounts.personal_data import (
    Erasure,
    PersonalData,
    account_emails,
    by_email,
    inert_email,
    when,
)
from newsletters import services
from newsletters.models import ConsentRecord, Delivery, Subscriber

if TYPE_CHECKING:
    from accounts.models import User


def _newsletters(user: User) -> dict[str, Any]:
    emails = account_emails(user)
    subscribers = Subscriber.objects.filter(Q(user=user) | by_email("email", emails))
    consents = ConsentRecord.objects.filter(by_email("email", emails))
    return {
        "subscriptions": [
            {
                "newsletter": s.newsletter.name,
                "email": s.email,
                "status": s.status,
                "confirmed_at": when(s.confirmed_at),
                "unsubscribed_at": when(s.unsubscribed_at),
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
                "at": when(c.created_at),
            }
            for c in consents.select_related("newsletter").order_by("created_at", "pk")
        ],
    }


def _erase(erasure: Erasure) -> None:
    user = erasure.user
    subscribers = Subscriber.objects.filter(erasure.of_the_person("user"))
    for subscriber in subscribers.select_related("newsletter"):
        # Records the withdrawal in the consent log and suppresses the address: the proof that
        # sending stopped outlives the subscription.
        services.unsubscribe(
            email=subscriber.email,
            newsletter=subscriber.newsletter,
            source=ConsentRecord.Source.ACCOUNT,
            now=erasure.now,
        )
    Subscriber.objects.filter(erasure.of_the_person("user")).delete()
    Delivery.objects.filter(user_id=user.pk).update(
        user=None, email=inert_email(user.pk, "delivery")
    )


PERSONAL_DATA = PersonalData(
    app_label="newsletters",
    exporters={"newsletters": _newsletters},
    eraser=_erase,
    erases=("newsletters.Subscriber.user", "newsletters.Delivery.user"),
    keeps={"newsletters.Campaign.created_by": "the member of staff who wrote the campaign"},
)
