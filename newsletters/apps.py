from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    from newsletters.roles import marketing_group_sync

    marketing_group_sync(using=kwargs.get("using", "default"))


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = _("Newsletters")

    def ready(self) -> None:
        # Permissions only exist once every app has migrated: post_migrate is Django's hook for it.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="newsletters_sync_roles")
        # anymail reports bounces and complaints only through this signal: nothing else fits.
        from anymail.signals import tracking

        from newsletters.handlers import on_tracking_event

        tracking.connect(on_tracking_event, dispatch_uid="newsletters.tracking")

        from accounts import personal_data
        from newsletters.personal_data import PERSONAL_DATA

        personal_data.register(PERSONAL_DATA)
