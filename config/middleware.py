"""Request ids and the one structured log line per request; NUL bytes refused at the edge."""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.middleware.security import SecurityMiddleware
from django.urls import NoReverseMatch, ResolverMatch, get_resolver, get_urlconf
from django.utils import translation
from django.utils.translation import gettext

from config.logging import REQUEST_ID_PATTERN, request_id_var
from core.http import bad_request_response

logger = logging.getLogger("kiosque.request")

REQUEST_ID_HEADER = "X-Request-ID"

# Views that only machines call (Stripe's webhook): none of the browser middleware (sessions,
# locale, CSRF, authentication, messages, allauth, CSP, rate limits) does anything for them, and
# running it cost more than verifying and recording an event.
MACHINE_ENDPOINTS = ("stripe_webhook",)


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
        # HTTPS redirect and security headers still apply, as Django would stack them.
        self.get_machine_response = cast(
            Callable[[HttpRequest], HttpResponse],
            convert_exception_to_response(
                SecurityMiddleware(convert_exception_to_response(_machine_view))
            ),
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            if request.path_info in _machine_routes(get_urlconf()):
                response = self.get_machine_response(request)
            else:
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


@functools.cache
def _machine_routes(urlconf: str | None) -> dict[str, ResolverMatch]:
    """Path → resolved view of each machine endpoint: one dict lookup instead of resolving."""
    resolver = get_resolver(urlconf)
    routes = {}
    for name in MACHINE_ENDPOINTS:
        try:
            path = "/" + resolver.reverse(name)
        except NoReverseMatch:
            continue
        routes[path] = resolver.resolve(path)
    return routes


def _machine_view(request: HttpRequest) -> HttpResponse:
    """Call the view with the host still checked against ALLOWED_HOSTS."""
    request.get_host()
    match = _machine_routes(get_urlconf())[request.path_info]
    request.resolver_match = match
    # The thread may still speak the language of the page it served before.
    with translation.override(settings.LANGUAGE_CODE):
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    # As CommonMiddleware would: without it the server falls back to a chunked answer.
    if not response.streaming and not response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))
    return response


NUL = "\x00"
FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class RejectNulMiddleware:
    """Answer 400 to a NUL character in the path, the query string or a form field.

    PostgreSQL text cannot hold NUL: one that reached a query (a ticket token in the path, a
    session id in the query string) raised DataError, a 500. No legitimate address or form
    carries one, so it is refused here, once, rather than view by view. Reading request.POST this
    early is what CsrfViewMiddleware does anyway; a body that cannot be parsed raises Django's own
    400 (BadRequest, RequestDataTooBig) from here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _nul_in(request)
        if where is None:
            return self.get_response(request)
        language = translation.get_language_from_path(request.path_info.replace(NUL, ""))
        with translation.override(language or settings.LANGUAGE_CODE):
            reasons = {
                "path": gettext("The address contains a NUL character."),
                "query": gettext("The query string contains a NUL character."),
                "form": gettext("A form field contains a NUL character."),
            }
            return bad_request_response(reasons[where])


def _nul_in(request: HttpRequest) -> str | None:
    """Where a NUL character is ("path", "query", "form"), or None."""
    if NUL in request.path_info or NUL in request.path:
        return "path"
    if any(
        NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()
    ):
        return "query"
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        fields = [(key, values) for key, values in request.POST.lists()]
        files = [
            (key, [upload.name or "" for upload in uploads])
            for key, uploads in request.FILES.lists()
        ]
        if any(
            NUL in key or any(NUL in value for value in values) for key, values in fields + files
        ):
            return "form"
    return None
