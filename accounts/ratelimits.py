"""Rate limits for the site's own forms (allauth limits its views itself: ACCOUNT_RATE_LIMITS).

Each limited view counts twice in the default cache: per client address (core.network,
which honours TRUSTED_PROXIES) and, for a signed-in reader, per account, so neither rotating
accounts nor rotating addresses gets round it. Rates live in settings.KIOSQUE_RATE_LIMITS.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django_ratelimit import UNSAFE
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from core.network import client_ip

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def ip_key(group: str, request: HttpRequest) -> str:
    return f"ip:{client_ip(request) or 'unknown'}"


def user_key(group: str, request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    # None: django-ratelimit does not count anonymous requests against an account.
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


def rate_for(name: str) -> Callable[[str, HttpRequest], str]:
    # Read at request time, so settings overrides (tests, environment) apply without a restart.
    def rate(group: str, request: HttpRequest) -> str:
        return settings.KIOSQUE_RATE_LIMITS[name]

    return rate


def rate_limit(name: str, *, method: Any = UNSAFE) -> Callable[[View], View]:
    """Answer 429 (settings.RATELIMIT_VIEW) once the client or the account exceeds ``name``."""

    def decorator(view: View) -> View:
        group = f"kiosque.{name}"

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            limited = False
            for key in (ip_key, user_key):
                if key is user_key and user_key(group, request) is None:
                    continue
                limited = (
                    is_ratelimited(
                        request,
                        group=group,
                        key=key,
                        rate=rate_for(name),
                        method=method,
                        increment=True,
                    )
                    or limited
                )
            if limited:
                raise Ratelimited
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
