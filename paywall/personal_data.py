"""What the paywall holds about a reader, for "download my data" and account deletion.

Registered in accounts.personal_data by PaywallConfig.ready().
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.personal_data import Erasure, PersonalData, when
from paywall.models import ComplimentaryAccess, GiftLink, MeterPeriod, MeterRead, Seat

if TYPE_CHECKING:
    from accounts.models import User


def _access(user: User) -> dict[str, Any]:
    return {
        "complimentary_access": [
            {
                "reason": c.reason,
                "offered_by": c.offered_by_label,
                "starts_at": when(c.starts_at),
                "ends_at": when(c.ends_at),
            }
            for c in ComplimentaryAccess.objects.filter(user=user)
        ],
        "company_licence_seats": [
            {"organisation": seat.organisation.name, "since": when(seat.claimed_at)}
            for seat in Seat.objects.filter(user=user).select_related("organisation")
        ],
    }


def _gift_links(user: User) -> list[dict[str, Any]]:
    return [
        {
            "article": g.article.title,
            "created_at": when(g.created_at),
            "expires_at": when(g.expires_at),
            "revoked_at": when(g.revoked_at),
        }
        for g in GiftLink.objects.filter(sender=user).select_related("article")
    ]


def _metered_reads(user: User) -> list[dict[str, Any]]:
    reads = MeterRead.objects.filter(period__user=user).select_related("article", "period")
    return [
        {"month": when(r.period.month), "article": r.article.title, "read_at": when(r.read_at)}
        for r in reads.order_by("read_at")
    ]


def _erase(erasure: Erasure) -> None:
    user = erasure.user
    GiftLink.objects.filter(sender=user).delete()
    MeterPeriod.objects.filter(user=user).delete()
    Seat.objects.filter(user=user).delete()
    ComplimentaryAccess.objects.filter(user=user).delete()


PERSONAL_DATA = PersonalData(
    app_label="paywall",
    exporters={
        "access": _access,
        "gift_links": _gift_links,
        "metered_reads": _metered_reads,
    },
    eraser=_erase,
    erases=(
        "paywall.GiftLink.sender",
        "paywall.MeterPeriod.user",
        "paywall.Seat.user",
        "paywall.ComplimentaryAccess.user",
    ),
    keeps={
        "paywall.ComplimentaryAccess.granted_by": "the member of staff who offered it",
        "paywall.Organisation.admin_contact": (
            "the company licence's contact, the organisation's to change"
        ),
    },
)
