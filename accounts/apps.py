from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import personal_data
        from accounts.account_data import PERSONAL_DATA

        personal_data.register(PERSONAL_DATA)
