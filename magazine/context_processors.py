from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.site import site_url
from magazine.models import Rubrique


def site(request: HttpRequest) -> dict[str, Any]:
    """Site name and the navigation's rubriques (one small query, evaluated lazily)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": site_url(),
        "nav_rubriques": Rubrique.objects.only("name", "slug"),
    }
