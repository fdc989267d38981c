"""Staff roles: the groups and exactly the permissions each needs."""

from __future__ import annotations

from django.contrib.auth.models import Group

from core.roles import Permissions, crud, group_sync

EDITORS_GROUP = "Editors"

EDITOR_PERMISSIONS: Permissions = {
    "magazine": [
        *crud(
            ("article", "rubrique", "tag", "author", "libraryimage"),
            ("add", "change", "delete", "view"),
        ),
        "preview_article",
    ],
}


def editors_group_sync(*, using: str = "default") -> Group:
    """Create or update the Editors group so it holds exactly EDITOR_PERMISSIONS."""
    return group_sync(EDITORS_GROUP, EDITOR_PERMISSIONS, using=using)
