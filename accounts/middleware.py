"""Security middleware: the Content-Security-Policy, and two-factor authentication for staff."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext as _

# django-prose-editor declares its modules in an inline <script type="importmap">, which
# script-src governs like any inline script: it is allowed by its hash, not by 'unsafe-inline'.
_IMPORT_MAP = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)


_admin_prefixes: dict[tuple[object, str], str] = {}


def _admin_prefix() -> str:
    # Read on every request by two middlewares: reverse() walks the URLconf each time, yet the
    # answer changes only with the URLconf and the script prefix.
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    prefix = _admin_prefixes.get(key)
    if prefix is None:
        prefix = _admin_prefixes[key] = reverse("admin:index")
    return prefix


def inline_script_hashes(content: bytes) -> list[str]:
    return [
        "'sha256-{}'".format(base64.b64encode(hashlib.sha256(body).digest()).decode("ascii"))
        for body in _IMPORT_MAP.findall(content)
    ]


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; the admin alone also gets inline styles and its import map.

    Django's admin widgets, select2 (autocomplete) and a few admin templates set style
    attributes; the public site sets none, so it keeps style-src 'self'.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or not request.path_info.startswith(_admin_prefix()):
            return parts
        update: dict[str, list[str]] = {"style-src": ["'unsafe-inline'"]}
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not getattr(response, "streaming", False):
            hashes = inline_script_hashes(response.content)  # type: ignore[attr-defined]
            if hashes:
                update["script-src"] = hashes
        # Like csp_update: the sources are appended to the configured ones.
        parts.update = {**(parts.update or {}), **update}
        return parts


class StaffMFAMiddleware:
    """Staff without an authenticator who open the admin are sent to set one up first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self._must_set_up_mfa(request):
            messages.warning(
                request,
                _(
                    "Staff accounts need two-factor authentication: set up an authenticator "
                    "app to use the administration."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _must_set_up_mfa(request: HttpRequest) -> bool:
        if not settings.KIOSQUE_STAFF_MFA_REQUIRED:
            return False
        # The path first: request.user is lazy, and reading it anywhere else than in the admin
        # would load the account (a query) on every signed-in page that does not need it.
        if not request.path_info.startswith(_admin_prefix()):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return False
        return not user_has_mfa(user)


def user_has_mfa(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    # Recovery codes alone are a fallback, not a second factor.
    return (
        Authenticator.objects.filter(user=user)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists()
    )
