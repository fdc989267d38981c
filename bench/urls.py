"""The site's URLconf plus a bare view returning a constant string: the benchmarks' floor."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("floor", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), *site_urlpatterns]
