"""The 400 page, shared by the URLconf's handler400 and the middleware that refuses input."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template import loader


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
