from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaywallConfig(AppConfig):
    """Who may read what: the access decision, the meter, gift links, company licences.

    Depends on ``subscriptions`` (is this reader subscribed?), ``accounts`` and ``core``; the
    magazine depends on it, never the other way round.
    """

    name = "paywall"
    verbose_name = _("Paywall")

    def ready(self) -> None:
        from accounts import personal_data
        from paywall.personal_data import PERSONAL_DATA

        personal_data.register(PERSONAL_DATA)
