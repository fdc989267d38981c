"""Caches of the article page, and the cheap checks that must pass before the shared one is used.

Anonymous pages. A whole page may come from (or go to) the shared cache only when nothing about
the visitor can change it: no session cookie (so no account), no gift token, and a client address
outside every organisation's licensed IP ranges. Those checks cost no database query: the ranges
live in process memory and are reloaded when ``subscriptions.services.licence_ranges_changed``
(called by the organisation admin) moves the version stored in Django's cache. A stored page
carries the licence-ranges version and the articles version it was rendered under; the
newsroom's services move the articles version (``articles_changed``) whenever an article is
saved, published or unpublished. The short timeout bounds what those versions cannot see (a
scheduled article going live, a rubrique renamed).

Under load every round trip costs far more than the work it saves, so a hit costs none: each
process keeps the versions it last read for at most ``KIOSQUE_CACHE_VERSIONS_MEMO_SECONDS`` (one
second; the process that moves a version sees it at once) and a copy of recent pages and
skeletons, checked against those versions and against the shared entry's expiry time.

The home page and the lists of articles (``anonymous_page``) are kept the same way: they show no
paywalled text, and each is kept no longer than the next scheduled publication.

Pages of readers with an account. They are never shared as a whole. What is the same for every
reader of one version of an article (head, header, body parts, related articles, navigation) is
kept as a "skeleton" with slots for what depends on the reader (account links, the access note,
the paywall box, the body's paywalled part, the offers). The paywalled part is kept apart from the
skeleton and the view puts it into the page only when the paywall's decision allows it; such
pages stay ``private, no-store``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any, TypeGuard
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.site import site_url
from subscriptions import network
from subscriptions.models import OrganisationIPRange
from subscriptions.services import GIFT_QUERY_PARAMETER, LICENCE_RANGES_VERSION_KEY

if TYPE_CHECKING:
    from datetime import datetime

    from magazine.models import Article

CACHE_HEADER = "X-Kiosque-Cache"
# Moved by magazine.services whenever the newsroom changes an article.
ARTICLES_VERSION_KEY = "kiosque:magazine:articles-version"


def cache_seconds() -> int:
    return int(settings.KIOSQUE_ANONYMOUS_PAGE_CACHE_SECONDS)


def skeleton_seconds() -> int:
    return int(settings.KIOSQUE_ARTICLE_SKELETON_CACHE_SECONDS)


def _versions_memo_seconds() -> float:
    return float(settings.KIOSQUE_CACHE_VERSIONS_MEMO_SECONDS)


_VERSION_KEYS = (LICENCE_RANGES_VERSION_KEY, ARTICLES_VERSION_KEY)
_versions_memo: tuple[float, tuple[str, str]] | None = None


def cache_versions() -> tuple[str, str]:
    """(licence ranges version, articles version), as last read from the shared cache."""
    global _versions_memo
    now = time.monotonic()
    memo = _versions_memo
    if memo is not None and now - memo[0] < _versions_memo_seconds():
        return memo[1]
    found = cache.get_many(list(_VERSION_KEYS))
    ranges_version, articles_version = (_current_version(key, found) for key in _VERSION_KEYS)
    _versions_memo = (now, (ranges_version, articles_version))
    return ranges_version, articles_version


def _forget_versions() -> None:
    global _versions_memo
    _versions_memo = None


def forget_process_copies() -> None:
    """Drop what this process remembers of the shared cache (after the cache itself is cleared)."""
    from magazine import slots

    _forget_versions()
    _pages.clear()
    _skeletons.clear()
    slots.forget()
    with _heads_lock:
        _heads.clear()


def articles_changed() -> None:
    """Retire every cached article page and skeleton (after the current transaction)."""

    def bump() -> None:
        cache.set(ARTICLES_VERSION_KEY, uuid4().hex, timeout=None)
        _forget_versions()

    transaction.on_commit(bump)


def _current_version(key: str, found: Mapping[str, object]) -> str:
    version = found.get(key)
    if version is None:
        # A cleared or fresh cache: start a new version so every process reloads once.
        cache.add(key, uuid4().hex, timeout=None)
        version = cache.get(key) or ""
    return str(version)


class _Store:
    """Entries of the shared cache, with a copy of the recent ones in this process.

    An entry holds the versions it was made under and the wall-clock time it expires: a copy is
    used only while both still hold, exactly as the shared entry would be.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._local: OrderedDict[str, tuple[tuple[str, ...], float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, versions: tuple[str, ...]) -> Any:
        now = time.time()
        # Without a remembered version (an in-process cache), copies would save nothing.
        entry = self._local.get(key) if _versions_memo_seconds() > 0 else None
        if not self._valid(entry, versions, now):
            entry = cache.get(key)
            if not self._valid(entry, versions, now):
                return None
            self._remember(key, entry)
        return entry[2]

    @staticmethod
    def _valid(
        entry: Any, versions: tuple[str, ...], now: float
    ) -> TypeGuard[tuple[tuple[str, ...], float, Any]]:
        # Anything else under the key (written by an older release) is a miss.
        return (
            isinstance(entry, tuple)
            and len(entry) == 3
            and entry[0] == versions
            and isinstance(entry[1], float)
            and entry[1] > now
        )

    def set(self, key: str, versions: tuple[str, ...], value: Any, seconds: int) -> None:
        entry = (versions, time.time() + seconds, value)
        cache.set(key, entry, timeout=seconds)
        self._remember(key, entry)

    def clear(self) -> None:
        with self._lock:
            self._local.clear()

    def _remember(self, key: str, entry: tuple[tuple[str, ...], float, Any]) -> None:
        with self._lock:
            self._local[key] = entry
            self._local.move_to_end(key)
            while len(self._local) > self._size:
                self._local.popitem(last=False)


_pages = _Store(size=512)
_skeletons = _Store(size=256)


@dataclass(frozen=True)
class _LicensedRange:
    network: network.IPNetwork
    starts_on: date
    ends_on: date


_memo: tuple[str, tuple[_LicensedRange, ...]] | None = None
_memo_lock = threading.Lock()


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


def licensed_ranges(version: str | None = None) -> tuple[str, tuple[_LicensedRange, ...]]:
    """(version, every organisation's IP range with its validity), reloaded on a version bump.

    ``version`` is the one the caller has just read from the cache (saves a round trip).
    """
    global _memo
    if version is None:
        version = cache_versions()[0]
    memo = _memo
    if memo is not None and memo[0] == version:
        return memo
    with _memo_lock:
        if _memo is None or _memo[0] != version:
            _memo = (version, _load_ranges())
        return _memo


def ip_may_hold_licence(client_ip: str | None, *, ranges_version: str | None = None) -> bool:
    """Whether an organisation's IP range covering ``client_ip`` is valid today (or may be)."""
    _version, ranges = licensed_ranges(ranges_version)
    if not ranges:
        return False
    address = network.parse_ip(client_ip)
    if address is None:
        return False
    today = timezone.localdate()
    return any(
        entry.starts_on <= today <= entry.ends_on
        and entry.network.version == address.version
        and address in entry.network
        for entry in ranges
    )


def _may_share(request: HttpRequest) -> bool:
    return (
        cache_seconds() > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and GIFT_QUERY_PARAMETER not in request.GET
    )


@dataclass(frozen=True)
class AnonymousLookup:
    """A visitor whom the shared cache may serve: the page found for them, or where to store it."""

    key: str
    versions: tuple[str, str]
    page: HttpResponse | None


def anonymous_lookup(
    request: HttpRequest, *, params: tuple[str, ...] = ()
) -> AnonymousLookup | None:
    """None unless the shared cache may answer this request (the same page for every such visitor).

    The visitor's address is checked against the licensed ranges before any page is looked up.
    """
    if not _may_share(request):
        return None
    versions = cache_versions()
    if ip_may_hold_licence(network.client_ip(request), ranges_version=versions[0]):
        return None
    key = _page_key(request, params)
    stored = _pages.get(key, versions)
    page = None
    if stored is not None:
        content, content_type = stored
        page = HttpResponse(content, content_type=content_type)
        page[CACHE_HEADER] = "hit"
        # As make_public gives on a fresh response, without parsing headers that are not there.
        page["Cache-Control"] = f"public, max-age={cache_seconds()}"
        page["Vary"] = "Cookie"
    return AnonymousLookup(key, versions, page)


def _page_key(request: HttpRequest, params: tuple[str, ...] = ()) -> str:
    # The base URL is in the page (canonical link); in DEBUG it may follow the request's host.
    raw = f"{site_url()}{request.path}|{get_language()}"
    for name in params:
        raw += f"|{name}={request.GET.get(name, '')}"
    return "kiosque:article-page:" + hashlib.sha256(raw.encode()).hexdigest()


def anonymous_page(
    *, params: tuple[str, ...] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """For pages that show no paywalled text (home, lists): one copy for every anonymous visitor.

    ``params`` are the query parameters the page depends on (``page``); any other is ignored. A
    page is kept no longer than the next scheduled publication, which will change it.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            lookup = anonymous_lookup(request, params=params)
            if lookup is None:
                # A reader's own header (account links): for their browser only.
                return make_private(view(request, *args, **kwargs))
            if lookup.page is not None:
                return lookup.page
            response = view(request, *args, **kwargs)
            seconds = min(cache_seconds(), _seconds_to_next_publication())
            return store_page(lookup, request, response, seconds=seconds)

        return wrapper

    return decorator


def _seconds_to_next_publication() -> int:
    from magazine.models import Article

    now = timezone.now()
    upcoming = (
        Article.objects.exclude(status="draft")
        .filter(published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is None:
        return cache_seconds()
    return max(0, int((upcoming - now).total_seconds()))


def make_public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=cache_seconds())
    patch_vary_headers(response, ("Cookie",))
    return response


def make_private(response: HttpResponse) -> HttpResponse:
    """For anything holding premium text or depending on the reader: no cache may keep it."""
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    patch_vary_headers(response, ("Cookie",))
    return response


def store_page(
    lookup: AnonymousLookup,
    request: HttpRequest,
    response: HttpResponse,
    *,
    seconds: int | None = None,
) -> HttpResponse:
    # Only a plain 200 without cookies or a CSRF token is shareable; anything else is private.
    seconds = cache_seconds() if seconds is None else seconds
    if (
        response.status_code != 200
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    ):
        return make_private(response)
    if seconds <= 0:
        return response
    _pages.set(lookup.key, lookup.versions, (response.content, response["Content-Type"]), seconds)
    response[CACHE_HEADER] = "miss"
    return make_public(response)


# Skeletons of pages for readers with an account.


@dataclass(frozen=True)
class Skeleton:
    """A rendered page with a marker around each slot's name, and the body parts it was made from.

    ``paywalled_html`` is not in ``html``: only the view, once the paywall has allowed the reader,
    puts it into the page (through the access slot).
    """

    html: str
    marker: str
    # Both sanitised: the open part (teaser, or the whole of a free body) and the rest.
    open_html: str
    paywalled_html: str
    # The article's address in the skeleton's language (a reverse() less per page). Skeletons
    # kept by an earlier release have none: "" (the class default) means "reverse it".
    canonical_path: str = ""

    def fill(self, slots: Mapping[str, str]) -> str:
        """The page with every slot replaced; a KeyError if a slot is missing."""
        parts = self.html.split(self.marker)
        # Text, slot name, text, slot name, ..., text.
        return "".join(part if index % 2 == 0 else slots[part] for index, part in enumerate(parts))


def new_marker() -> str:
    # Random per skeleton: no text of an article (escaped or sanitised anyway) can forge a slot.
    return f"<!--kiosque-slot-{uuid4().hex}-->"


def slot(marker: str, name: str) -> SafeString:
    # Our own marker around a fixed name: nothing to escape.
    return mark_safe(f"{marker}{name}{marker}")


@dataclass(frozen=True)
class SkeletonLookup:
    key: str
    articles_version: str
    skeleton: Skeleton | None


def skeleton_lookup(*, article_id: int, updated_at: datetime) -> SkeletonLookup | None:
    """The skeleton of this version of the article in the current language (None: don't cache)."""
    if skeleton_seconds() <= 0:
        return None
    raw = f"{article_id}|{updated_at.isoformat()}|{get_language()}|{site_url()}"
    key = "kiosque:article-skeleton:" + hashlib.sha256(raw.encode()).hexdigest()
    articles_version = cache_versions()[1]
    return SkeletonLookup(key, articles_version, _skeletons.get(key, (articles_version,)))


def skeleton_store(lookup: SkeletonLookup, skeleton: Skeleton) -> None:
    _skeletons.set(lookup.key, (lookup.articles_version,), skeleton, skeleton_seconds())


# Heads of live articles, for readers with an account.

_HEAD_FIELDS = ("id", "slug", "access", "updated_at", "status", "published_at")
_heads: OrderedDict[str, tuple[str, float, tuple[Any, ...]]] = OrderedDict()
_heads_lock = threading.Lock()
_HEADS_SIZE = 1024


@lru_cache(maxsize=1)
def _head_names() -> list[str]:
    # Article.from_db takes the loaded values in the model's field order.
    from magazine.models import Article

    return [f.attname for f in Article._meta.concrete_fields if f.attname in _HEAD_FIELDS]


def published_article_head(*, slug: str) -> Article | None:
    """``selectors.published_article_head``, remembered by this process under a shared cache.

    Every signed-in article page needs the head before anything else; under load its round trip
    costs more than the rest of the page. A remembered head is used only under the articles
    version it was read with (the newsroom's services move it on every save, publication and
    unpublication) and for at most the skeleton's lifetime, like the skeleton it keys; a
    scheduled article is not remembered before it is live.
    """
    from magazine import selectors
    from magazine.models import Article

    if _versions_memo_seconds() <= 0 or skeleton_seconds() <= 0:
        return selectors.published_article_head(slug=slug)
    articles_version = cache_versions()[1]
    now = time.monotonic()
    entry = _heads.get(slug)
    if entry is not None and entry[0] == articles_version and entry[1] > now:
        return Article.from_db("default", _head_names(), entry[2])
    head = selectors.published_article_head(slug=slug)
    if head is not None:
        values = tuple(getattr(head, name) for name in _head_names())
        with _heads_lock:
            _heads[slug] = (articles_version, now + skeleton_seconds(), values)
            _heads.move_to_end(slug)
            while len(_heads) > _HEADS_SIZE:
                _heads.popitem(last=False)
    return head
