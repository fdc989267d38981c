"""The WSGI handler: Django's, remembering where recent paths resolved to.

Resolving an article's address walks the whole URLconf (the article slug is the catch-all, tried
last) and cost a tenth of an anonymous article page. Resolution depends only on the URLconf,
the active language (for the language prefix) and the path; a success is remembered per process
for those three, in a bounded LRU. Failures (404) are not remembered. Each request gets its own
copy of the match, so nothing a middleware does to it reaches another request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import setting_changed
from django.http import HttpRequest
from django.urls import ResolverMatch, set_urlconf
from django.utils.translation import get_language

from core.lru import BoundedLRU

_SIZE = 4096


resolved: BoundedLRU[tuple[Any, ...], ResolverMatch] = BoundedLRU(_SIZE)


def _forget(**kwargs: Any) -> None:
    if kwargs.get("setting") in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"):
        resolved.clear()


setting_changed.connect(_forget)


class KiosqueWSGIHandler(WSGIHandler):
    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        # The URLconf Django's resolve_request uses: the request's own, or the setting.
        urlconf = getattr(request, "urlconf", None)
        if urlconf is not None:
            set_urlconf(urlconf)
        key = (urlconf or settings.ROOT_URLCONF, get_language(), request.path_info)
        found = resolved.get(key)
        if found is None:
            found = super().resolve_request(request)  # raises Resolver404: nothing to keep
            resolved.set(key, found)
        # ResolverMatch refuses copy.copy (it forbids pickling): copy its attributes.
        match = object.__new__(ResolverMatch)
        match.__dict__.update(found.__dict__)
        match.kwargs = dict(found.kwargs)
        request.resolver_match = match
        return match
