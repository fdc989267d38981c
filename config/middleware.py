"""Request ids and the one structured log line per request."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.logging import REQUEST_ID_PATTERN, request_id_var

logger = logging.getLogger("kiosque.request")

REQUEST_ID_HEADER = "X-Request-ID"


def request_id_from(value: str | None) -> str:
    """The incoming id when it is a sane token, else a fresh one."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id (echoed in X-Request-ID) and log one line when it is answered.

    First in MIDDLEWARE, so that the duration covers the whole stack and redirects, static files
    and errors are logged too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "request_id": request_id,
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _user_id(request: HttpRequest) -> int | None:
    # Only a user the request already loaded: resolving it here would cost a session read and a
    # query on pages that never looked. Ids only, never emails or names.
    user = getattr(request, "_cached_user", None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk
