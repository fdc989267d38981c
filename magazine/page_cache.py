"""The anonymous article page cache, and the cheap checks that must pass before it is consulted.

A page may come from (or go to) the shared cache only when nothing about the visitor can change
it: no session cookie (so no account), no gift token, and a client address outside every
organisation's licensed IP ranges. Those checks cost no database query: the ranges live in
process memory and are reloaded when ``subscriptions.services.licence_ranges_changed`` (called
by the organisation admin) moves the version stored in Django's cache.

Keys hold the path, the language, the article's id and ``updated_at``, and the ranges version,
so an edited article or a new licence never serves an old page.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from subscriptions import network
from subscriptions.models import OrganisationIPRange
from subscriptions.services import GIFT_QUERY_PARAMETER, LICENCE_RANGES_VERSION_KEY

if TYPE_CHECKING:
    from datetime import datetime

DEFAULT_SECONDS = 60
CACHE_HEADER = "X-Kiosque-Cache"


def cache_seconds() -> int:
    return int(getattr(settings, "KIOSQUE_ANONYMOUS_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


@dataclass(frozen=True)
class _LicensedRange:
    network: network.IPNetwork
    starts_on: date
    ends_on: date


_memo: tuple[str, tuple[_LicensedRange, ...]] | None = None
_memo_lock = threading.Lock()


def _ranges_version() -> str:
    version = cache.get(LICENCE_RANGES_VERSION_KEY)
    if version is None:
        # A cleared or fresh cache: start a new version so every process reloads once.
        cache.add(LICENCE_RANGES_VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(LICENCE_RANGES_VERSION_KEY) or ""
    return str(version)


def _load_ranges() -> tuple[_LicensedRange, ...]:
    loaded = []
    for cidr, starts_on, ends_on in OrganisationIPRange.objects.values_list(
        "cidr", "organisation__starts_on", "organisation__ends_on"
    ):
        try:
            net = ipaddress.ip_network(cidr, strict=False)
        except ValueError:  # the paywall ignores such a row too
            continue
        loaded.append(_LicensedRange(net, starts_on, ends_on))
    return tuple(loaded)


def licensed_ranges() -> tuple[str, tuple[_LicensedRange, ...]]:
    """(version, every organisation's IP range with its validity), reloaded on a version bump."""
    global _memo
    version = _ranges_version()
    memo = _memo
    if memo is not None and memo[0] == version:
        return memo
    with _memo_lock:
        if _memo is None or _memo[0] != version:
            _memo = (version, _load_ranges())
        return _memo


def ip_may_hold_licence(client_ip: str | None) -> bool:
    """Whether an organisation's IP range covering ``client_ip`` is valid today (or may be)."""
    address = network.parse_ip(client_ip)
    if address is None:
        return False
    today = timezone.localdate()
    _version, ranges = licensed_ranges()
    return any(
        entry.starts_on <= today <= entry.ends_on
        and entry.network.version == address.version
        and address in entry.network
        for entry in ranges
    )


def is_anonymous_candidate(request: HttpRequest) -> bool:
    """True when the shared cache may answer this request: the same page for every such visitor.

    Cheapest checks first; the IP check reads one cache key, never the database on a warm process.
    """
    return (
        cache_seconds() > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and GIFT_QUERY_PARAMETER not in request.GET
        and not ip_may_hold_licence(network.client_ip(request))
    )


def page_key(request: HttpRequest, *, article_id: int, updated_at: datetime) -> str:
    version, _ranges = licensed_ranges()
    raw = f"{request.path}|{get_language()}|{article_id}|{updated_at.isoformat()}|{version}"
    return "kiosque:page:" + hashlib.sha256(raw.encode()).hexdigest()


def make_public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=cache_seconds())
    patch_vary_headers(response, ("Cookie",))
    return response


def make_private(response: HttpResponse) -> HttpResponse:
    """For anything holding premium text or depending on the reader: no cache may keep it."""
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    patch_vary_headers(response, ("Cookie",))
    return response


def cached_page(key: str) -> HttpResponse | None:
    stored = cache.get(key)
    if stored is None:
        return None
    content, content_type = stored
    response = HttpResponse(content, content_type=content_type)
    response[CACHE_HEADER] = "hit"
    return make_public(response)


def store_page(key: str, request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # Only a plain 200 without cookies or a CSRF token is shareable; anything else is private.
    if (
        response.status_code != 200
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    ):
        return make_private(response)
    cache.set(key, (response.content, response["Content-Type"]), timeout=cache_seconds())
    response[CACHE_HEADER] = "miss"
    return make_public(response)
