"""HTTP helpers every app shares: what caches may do with a response, and the 400 page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.template import loader
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


def bad_request_response(reason: str = "") -> HttpResponseBadRequest:
    """A 400 page saying ``reason`` (escaped), rendered without the request.

    Without the request on purpose: the request may be the very thing that could not be read (a
    form body in UTF-16), and a context processor or template tag touching request.POST would
    turn the 400 into a 500.
    """
    template = loader.get_template("400.html")
    return HttpResponseBadRequest(
        template.render({"SITE_NAME": settings.SITE_NAME, "reason": reason})
    )
