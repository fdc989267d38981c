"""Staff roles: the groups and exactly the permissions each needs."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITORS_GROUP = "Editors"

EDITOR_PERMISSIONS: dict[str, list[str]] = {
    "magazine": [
        f"{action}_{model}"
        for model in ("article", "rubrique", "tag", "author", "libraryimage")
        for action in ("add", "change", "delete", "view")
    ]
    + ["preview_article"],
}


def editors_group_sync(*, using: str = "default") -> Group:
    """Create or update the Editors group so it holds exactly EDITOR_PERMISSIONS."""
    with transaction.atomic(using=using):
        group, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
        permissions = []
        for app_label, codenames in EDITOR_PERMISSIONS.items():
            permissions += list(
                Permission.objects.using(using).filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
        group.permissions.set(permissions)
    return group
