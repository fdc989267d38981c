"""The Marketing role: newsletters, subscribers, segments and campaigns (sending included)."""

from __future__ import annotations

from django.contrib.auth.models import Group

from core.roles import Permissions, crud, group_sync

MARKETING_GROUP = "Marketing"

MARKETING_PERMISSIONS: Permissions = {
    # Sending, scheduling, pausing and cancelling a campaign take its change permission.
    "newsletters": crud(
        ("newsletter", "subscriber", "segment", "campaign", "suppression"),
        ("add", "change", "view"),
    )
    + crud(("campaignarticle",), ("add", "change", "delete", "view"))
    + crud(("consentrecord", "delivery"), ("view",)),
    # Choosing the articles of a digest.
    "magazine": ["view_article"],
}


def marketing_group_sync(*, using: str = "default") -> Group:
    """Create or update the Marketing group so it holds exactly MARKETING_PERMISSIONS."""
    return group_sync(MARKETING_GROUP, MARKETING_PERMISSIONS, using=using)
