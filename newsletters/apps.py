from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = _("Newsletters")

    def ready(self) -> None:
        # anymail reports bounces and complaints only through this signal: nothing else fits.
        from anymail.signals import tracking

        from newsletters.handlers import on_tracking_event

        tracking.connect(on_tracking_event, dispatch_uid="newsletters.tracking")

        from accounts import personal_data
        from newsletters.personal_data import PERSONAL_DATA

        personal_data.register(PERSONAL_DATA)
