"""The per-reader slots of a signed-in article page are what the templates render, per reader."""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.safestring import mark_safe

from accounts.models import User
from magazine.article_page import SLOTS, reader_slots
from magazine.models import Article
from paywall.access import reader_access
from paywall.models import GiftLink
from paywall.reading import reading_for
from subscriptions.offers import subscription_offer
from tests.factories import UserFactory
from tests.magazine.paywall_helpers import MARKER, premium_article

pytestmark = pytest.mark.django_db

_CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
PENDING = "Votre adresse a été confirmée."


def _request(article: Article, user: User | AnonymousUser) -> HttpRequest:
    request = RequestFactory().get(article.get_absolute_url())
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    messages.info(request, PENDING)
    return request


def _template_slots(request: HttpRequest, article: Article) -> dict[str, str]:
    """Each slot's template, rendered with the reader's request as any other page would."""
    reading = reading_for(article, reader_access(request, article))
    context = {
        "article": article,
        "reading": reading,
        "decision": reading.decision,
        "body_open": mark_safe(reading.open_html),
        "body_paywalled": mark_safe(reading.paywalled_html),
        "offer": subscription_offer() if reading.paywalled else None,
        "canonical_path": article.get_absolute_url(),
    }
    return {name: render_to_string(template, context, request) for name, template in SLOTS.items()}


def _cached_slots(request: HttpRequest, article: Article) -> dict[str, str]:
    reading = reading_for(article, reader_access(request, article))
    return reader_slots(
        request,
        article=article,
        reading=reading,
        offer=subscription_offer() if reading.paywalled else None,
        canonical_path=article.get_absolute_url(),
    )


def _without_csrf_values(slots: dict[str, str]) -> dict[str, str]:
    # Each page masks the token afresh: only its place and presence can be compared.
    return {name: _CSRF_VALUE.sub("CSRF", html) for name, html in slots.items()}


@pytest.mark.parametrize("persona", ["anonymous", "reader", "subscriber", "nameless"])
def test_slots_match_the_templates_on_first_and_later_pages(
    persona: str, weekly_plan: object, request: pytest.FixtureRequest
) -> None:
    article = premium_article()
    user: User | AnonymousUser
    if persona == "anonymous":
        user = AnonymousUser()
    elif persona == "nameless":
        user = UserFactory(email="sans-nom@example.com", first_name="", last_name="")
    else:
        user = request.getfixturevalue(persona)

    expected = _without_csrf_values(_template_slots(_request(article, user), article))
    first = _cached_slots(_request(article, user), article)
    again = _cached_slots(_request(article, user), article)

    assert _without_csrf_values(first) == expected
    assert _without_csrf_values(again) == expected
    assert (MARKER in first["access"]) == (persona == "subscriber")
    assert PENDING in first["messages"] and PENDING in again["messages"]


def test_each_reader_sees_their_own_name_on_the_same_article(
    client: Client, subscriber: User
) -> None:
    article = premium_article()
    other = UserFactory(email="autre@example.com", first_name="Zoé", last_name="Martin")
    for user in (subscriber, other):
        client.force_login(user)
        html = client.get(article.get_absolute_url()).content.decode()
        assert user.display_name in html
        for someone_else in {subscriber, other} - {user}:
            assert someone_else.display_name not in html


def test_gift_form_on_a_subscriber_page_carries_a_token_the_site_accepts(
    subscriber: User,
) -> None:
    article = premium_article()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(subscriber)
    for _ in range(2):  # a fresh render, then the kept fragments
        page = strict.get(article.get_absolute_url())
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert tokens

        response = strict.post(
            reverse("magazine:gift_create", args=[article.slug]),
            {"csrfmiddlewaretoken": tokens[-1]},
        )

        assert response.status_code != 403
    assert GiftLink.objects.filter(article=article).exists()
