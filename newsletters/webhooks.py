"""anymail's tracking webhooks (bounces, complaints), for the configured provider only.

A tracking event suppresses an address for every newsletter, so an unauthenticated endpoint
lets anyone unsubscribe anyone. The endpoint therefore exists only for the provider named by
ANYMAIL_ESP and only once ANYMAIL_WEBHOOK_SECRET (HTTP basic auth) is set; any other provider,
or none, answers 404 (the settings refuse an ESP without a secret when DEBUG is off). A body the
provider's parser cannot read is the sender's fault: 400, never 500.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from anymail import urls as anymail_urls
from anymail.exceptions import (
    AnymailConfigurationError,
    AnymailError,
    AnymailWebhookValidationFailure,
)
from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views import View
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

# What anymail's parsers raise on a body their provider never sends: not JSON or not UTF-8
# (ValueError), a list where an object was expected, missing keys, nesting deep enough to exhaust
# the recursion limit, a shape anymail takes for a wrongly configured route, or one it calls
# malformed itself (Amazon SES's "Malformed SNS message body").
UNREADABLE = (
    AnymailError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    RecursionError,
    AnymailConfigurationError,
)


def _tracking_view_classes() -> dict[str, type[Any]]:
    """Provider name (as in ANYMAIL_ESP) → anymail's tracking view class."""
    classes = {}
    for pattern in anymail_urls.urlpatterns:
        name = getattr(pattern, "name", None) or ""
        if name.endswith("_tracking_webhook"):
            classes[name.removesuffix("_tracking_webhook")] = pattern.callback.view_class
    return classes


TRACKING_VIEW_CLASSES = _tracking_view_classes()


@contextmanager
def _unreadable_is_invalid(esp_name: str) -> Iterator[None]:
    try:
        yield
    except AnymailWebhookValidationFailure:
        raise  # already a 400 (bad credentials or signature), with its own reason
    except UNREADABLE as exc:
        raise AnymailWebhookValidationFailure(f"Unreadable {esp_name} webhook body") from exc


class _RefusesUnreadableBodies:
    """A parser's crash on a junk body becomes anymail's own validation failure: a 400."""

    esp_name: str

    def run_validators(self, request: HttpRequest) -> None:
        with _unreadable_is_invalid(self.esp_name):
            super().run_validators(request)  # type: ignore[misc]

    def parse_events(self, request: HttpRequest) -> list[Any]:
        with _unreadable_is_invalid(self.esp_name):
            return list(super().parse_events(request))  # type: ignore[misc]


@functools.cache
def _guarded_view(esp: str) -> Callable[..., HttpResponseBase]:
    base = TRACKING_VIEW_CLASSES[esp]
    guarded: type[View] = type(f"Guarded{base.__name__}", (_RefusesUnreadableBodies, base), {})
    return guarded.as_view()


def tracking_enabled(esp: str) -> bool:
    """True when ``esp`` is the configured provider and its webhooks are authenticated."""
    return (
        esp in TRACKING_VIEW_CLASSES
        and esp == settings.ANYMAIL_ESP
        and bool(settings.ANYMAIL.get("WEBHOOK_SECRET"))
    )


@csrf_exempt
def tracking_webhook(request: HttpRequest, esp: str) -> HttpResponseBase:
    if not tracking_enabled(esp):
        raise Http404("No tracking webhook for this provider.")
    try:
        return _guarded_view(esp)(request)
    except AnymailConfigurationError:
        # Raised while the view is built: a setting the provider needs is missing.
        logger.exception("The %s tracking webhook is not configured", esp)
        raise Http404("No tracking webhook for this provider.") from None
