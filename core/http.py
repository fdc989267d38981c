"""What caches may do with a response: the two policies every app's views choose between."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


def make_public(response: HttpResponse, *, max_age: int) -> HttpResponse:
    """The same for every visitor without a session cookie: shared caches may keep it."""
    patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ("Cookie",))
    return response


def make_private(response: HttpResponse) -> HttpResponse:
    """For anything holding premium text or depending on the reader: no cache may keep it."""
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    patch_vary_headers(response, ("Cookie",))
    return response
