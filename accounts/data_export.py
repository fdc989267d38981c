"""“Download my data”: one JSON document, a section per exporter each installed app registered.

The apps register their exporters in accounts.personal_data, from their AppConfig.ready();
an installation without events or newsletters exports the rest.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from accounts import personal_data

if TYPE_CHECKING:
    from accounts.models import User


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything the site holds about ``user``, by section, from every installed app."""
    data: dict[str, Any] = {"exported_at": timezone.now().isoformat()}
    for entry in personal_data.registered():
        for section, export in entry.exporters.items():
            data[section] = export(user)
    return data


def user_data_json(*, user: User) -> str:
    return json.dumps(
        user_data_export(user=user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
