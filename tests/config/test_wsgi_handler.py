"""The production WSGI handler remembers where paths resolved to (config.handlers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.test import RequestFactory
from django.urls import Resolver404
from django.urls.resolvers import URLResolver

from config import handlers
from config.handlers import KiosqueWSGIHandler
from magazine.models import Article
from tests.factories import ArticleFactory


@pytest.fixture(autouse=True)
def _fresh_memo() -> Iterator[None]:
    handlers.resolved.clear()
    yield
    handlers.resolved.clear()


@pytest.fixture
def handler() -> KiosqueWSGIHandler:
    return KiosqueWSGIHandler()


def _get(handler: KiosqueWSGIHandler, path: str) -> tuple[str, str]:
    statuses: list[str] = []
    environ = RequestFactory(HTTP_HOST="testserver").get(path).environ
    response = handler(environ, lambda status, headers: statuses.append(status))
    try:
        return statuses[0], b"".join(response).decode()
    finally:
        response.close()  # type: ignore[attr-defined]


def _count_resolutions() -> Any:
    return mock.patch.object(URLResolver, "resolve", autospec=True, side_effect=URLResolver.resolve)


def test_production_serves_through_the_remembering_handler():
    from config.wsgi import application

    assert isinstance(application, KiosqueWSGIHandler)


@pytest.mark.django_db(transaction=True)
def test_an_address_is_resolved_once_then_remembered(handler):
    article = ArticleFactory(title="Le centre de contact de demain", access=Article.Access.FREE)

    with _count_resolutions() as resolve:
        first = _get(handler, article.get_absolute_url())
        walked = resolve.call_count
        second = _get(handler, article.get_absolute_url())

    assert first[0] == second[0] == "200 OK"
    assert "Le centre de contact de demain" in second[1]
    assert walked > 0
    assert resolve.call_count == walked  # the second request did not walk the URLconf


@pytest.mark.django_db(transaction=True)
def test_each_language_resolves_on_its_own(handler):
    article = ArticleFactory(title="Relation client", access=Article.Access.FREE)
    french = article.get_absolute_url()

    assert _get(handler, french)[0] == "200 OK"
    status, english_page = _get(handler, "/en" + french)
    assert status == "200 OK"
    assert 'lang="en"' in english_page
    status, french_page = _get(handler, french)
    assert status == "200 OK"
    assert 'lang="fr"' in french_page


@pytest.mark.django_db(transaction=True)
def test_unknown_addresses_are_not_remembered_and_stay_not_found(handler):
    for _ in range(2):
        assert _get(handler, "/compte/nulle-part/ni-ici/")[0] == "404 Not Found"
    assert handlers.resolved.get(("config.urls", "fr", "/compte/nulle-part/ni-ici/")) is None


@pytest.mark.django_db(transaction=True)
def test_a_request_cannot_change_the_match_another_one_gets(handler):
    request = RequestFactory().get("/rubrique/experience-client/")
    match = handler.resolve_request(request)
    match.kwargs["slug"] = "autre-chose"

    again = handler.resolve_request(RequestFactory().get("/rubrique/experience-client/"))

    assert again.kwargs == {"slug": "experience-client"}
    assert again.url_name == "rubrique"


@pytest.mark.django_db(transaction=True)
def test_a_new_urlconf_is_not_answered_from_memory(handler, settings):
    with pytest.raises(Resolver404):  # not an address of the site's URLconf
        handler.resolve_request(RequestFactory().get("/bench/floor/"))
    settings.ROOT_URLCONF = "bench.urls"

    match = handler.resolve_request(RequestFactory().get("/bench/floor/"))

    assert match.func.__name__ == "floor"
