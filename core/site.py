"""The site's public base URL, for every absolute link (canonical, feeds, emails, Stripe pages).

It is ``settings.SITE_URL``. In DEBUG without a ``SITE_URL`` (``manage.py runserver 8123`` on its
own), only the development server knows the host and port it serves, so ``SiteURLMiddleware``
takes them from each request: links, the Stripe simulator's pages and the calendar then point
where the browser is, not to a port nobody listens on. Tasks run in-process there, inside the
request, so the emails they send see the same base.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse

_served: ContextVar[str] = ContextVar("kiosque_served_base_url", default="")


def site_url() -> str:
    """The public base URL, without a trailing slash."""
    return _served.get() or settings.SITE_URL


class SiteURLMiddleware:
    """In DEBUG without SITE_URL, the base URL of the request's own scheme, host and port."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.SITE_URL_FROM_REQUEST:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # get_host() checks ALLOWED_HOSTS: a forged Host header is refused, never echoed.
        token = _served.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _served.reset(token)
