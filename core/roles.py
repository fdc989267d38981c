"""Staff roles as groups holding exactly the permissions they list (each app declares its own)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

Permissions = dict[str, list[str]]  # app label -> permission codenames


def crud(models: tuple[str, ...], actions: tuple[str, ...]) -> list[str]:
    """Django's model permission codenames (``add_event``…) for ``models`` and ``actions``."""
    return [f"{action}_{model}" for model in models for action in actions]


def group_sync(name: str, permissions: Permissions, *, using: str = "default") -> Group:
    """Create or update the group ``name`` so that it holds exactly ``permissions``."""
    with transaction.atomic(using=using):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        granted = []
        for app_label, codenames in permissions.items():
            granted += list(
                Permission.objects.using(using).filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
        group.permissions.set(granted)
    return group
