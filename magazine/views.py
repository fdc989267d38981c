from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("todo")


home = archive = search = rubrique_detail = tag_detail = author_detail = _todo
article_preview = article_detail = robots_txt = _todo


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse("404", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse("500", status=500)
