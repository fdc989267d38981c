from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi

from core.site import site_url
from magazine.models import Rubrique


def site_context() -> dict[str, Any]:
    """What every page shows of the site, whoever reads it: all a shared page is rendered from.

    Site name and address, the navigation's rubriques (one small query, evaluated lazily) and
    what Django's i18n context processor gives.
    """
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": site_url(),
        "nav_rubriques": Rubrique.objects.only("name", "slug"),
        "LANGUAGES": settings.LANGUAGES,
        "LANGUAGE_CODE": get_language(),
        "LANGUAGE_BIDI": get_language_bidi(),
    }


def site(request: HttpRequest) -> dict[str, Any]:
    """The site's context on pages rendered for one request (the reader's own come from others)."""
    return site_context()
