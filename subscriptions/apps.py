from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self) -> None:
        from accounts import personal_data
        from subscriptions.personal_data import PERSONAL_DATA

        personal_data.register(PERSONAL_DATA)
