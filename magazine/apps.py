from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    from magazine.roles import editors_group_sync

    editors_group_sync(using=kwargs.get("using", "default"))


class MagazineConfig(AppConfig):
    name = "magazine"
    verbose_name = _("Magazine")

    def ready(self) -> None:
        # Permissions only exist once every app has migrated: post_migrate is Django's hook for it.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="magazine_sync_roles")

        from accounts import personal_data
        from magazine.personal_data import PERSONAL_DATA

        personal_data.register(PERSONAL_DATA)
