"""The account's own personal data: its section of the export, allauth's addresses and factors.

Registered with every other app's in accounts.personal_data (AccountsConfig.ready); the account
row itself is anonymised last, by accounts.services.account_delete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from accounts.personal_data import Erasure, PersonalData, when

if TYPE_CHECKING:
    from accounts.models import User


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": when(user.date_joined),
        "last_login": when(user.last_login),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        # The kinds of second factor only: secrets and recovery codes never leave the server.
        "two_factor_methods": sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        ),
    }


def _erase(erasure: Erasure) -> None:
    user = erasure.user
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()


PERSONAL_DATA = PersonalData(
    app_label="accounts",
    exporters={"account": _account},
    eraser=_erase,
    erases=(
        "account.EmailAddress.user",
        "mfa.Authenticator.user",
        "accounts.User_groups.user",
        "accounts.User_user_permissions.user",
    ),
    keeps={
        "admin.LogEntry.user": "the admin's record of what staff changed, not the reader's data",
    },
)
