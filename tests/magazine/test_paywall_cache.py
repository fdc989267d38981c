"""A subscriber's page is never cached for anyone else; anonymous pages are, briefly."""

from __future__ import annotations

import pytest
from django.db import connection
from django.forms import modelform_factory
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from magazine import page_cache
from magazine import services as magazine_services
from magazine.models import Article
from magazine.page_cache import CACHE_HEADER
from paywall import services
from paywall.models import GiftLink, PaywallSettings
from tests.factories import OrganisationFactory
from tests.magazine.paywall_helpers import MARKER, TEASER_WORD, premium_article

pytestmark = pytest.mark.django_db

LICENSED_IP = "192.0.2.44"


@pytest.fixture
def article() -> Article:
    return premium_article()


def test_anonymous_page_is_cached_publicly_and_served_from_the_cache(
    client: Client, article: Article
) -> None:
    first = client.get(article.get_absolute_url())
    second = client.get(article.get_absolute_url())

    assert first[CACHE_HEADER] == "miss"
    assert second[CACHE_HEADER] == "hit"
    assert second.content == first.content
    for response in (first, second):
        assert "public" in response["Cache-Control"]
        assert "max-age=60" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
        assert not response.cookies
    assert MARKER not in second.content.decode()


def test_subscriber_page_is_private_and_never_reaches_an_anonymous_reader(
    client: Client, article: Article, subscriber: User
) -> None:
    subscriber_client = Client()
    subscriber_client.force_login(subscriber)

    full = subscriber_client.get(article.get_absolute_url())
    anonymous = client.get(article.get_absolute_url())

    assert MARKER in full.content.decode()
    assert "private" in full["Cache-Control"] and "no-store" in full["Cache-Control"]
    assert "Cookie" in full["Vary"]
    assert CACHE_HEADER not in full
    assert MARKER not in anonymous.content.decode()
    assert TEASER_WORD in anonymous.content.decode()


def test_cached_anonymous_page_is_not_served_to_a_subscriber(
    client: Client, article: Article, subscriber: User
) -> None:
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())[CACHE_HEADER] == "hit"

    subscriber_client = Client()
    subscriber_client.force_login(subscriber)
    response = subscriber_client.get(article.get_absolute_url())

    assert MARKER in response.content.decode()
    assert CACHE_HEADER not in response


def test_ip_licence_reader_never_gets_a_cached_teaser_and_is_never_cached(
    client: Client, article: Article
) -> None:
    OrganisationFactory(ip_ranges=["192.0.2.0/24"])
    client.get(article.get_absolute_url())  # an outside visitor fills the cache
    assert client.get(article.get_absolute_url())[CACHE_HEADER] == "hit"

    inside = Client(REMOTE_ADDR=LICENSED_IP)
    first = inside.get(article.get_absolute_url())
    second = inside.get(article.get_absolute_url())
    outside = client.get(article.get_absolute_url())

    for response in (first, second):
        assert MARKER in response.content.decode()
        assert CACHE_HEADER not in response
        assert "no-store" in response["Cache-Control"]
    assert MARKER not in outside.content.decode()


def test_new_ip_range_saved_through_the_service_applies_at_once(
    client: Client,
    article: Article,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    inside = Client(REMOTE_ADDR=LICENSED_IP)
    assert MARKER not in inside.get(article.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        OrganisationFactory(ip_ranges=["192.0.2.0/24"])
        services.licence_ranges_changed()

    assert MARKER in inside.get(article.get_absolute_url()).content.decode()


def test_gift_link_visit_is_never_cached(
    client: Client, article: Article, subscriber: User
) -> None:
    gift = services.gift_link_create(sender=subscriber, article=article)
    url = services.gift_link_path(gift)

    first = client.get(url)
    second = client.get(url)

    for response in (first, second):
        assert MARKER in response.content.decode()
        assert CACHE_HEADER not in response
        assert "no-store" in response["Cache-Control"]
    assert MARKER not in client.get(article.get_absolute_url()).content.decode()
    assert GiftLink.objects.count() == 1


def _edit_through_the_admin_service(article: Article, **changes: object) -> None:
    form_class = modelform_factory(Article, fields=list(changes))
    form = form_class(data=changes, instance=article)
    assert form.is_valid(), form.errors
    magazine_services.article_save(article=form.save(commit=False), form=form, user=None)


def test_editing_the_article_refreshes_the_cached_page(
    client: Client,
    article: Article,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client.get(article.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        _edit_through_the_admin_service(article, title="Un titre corrigé")
    response = client.get(article.get_absolute_url())

    assert response[CACHE_HEADER] == "miss"
    assert "Un titre corrigé" in response.content.decode()


def test_making_a_free_article_premium_never_serves_its_cached_full_text(
    client: Client,
    article: Article,
    settings,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    # Processes remember the versions for a while: the one that saves sees the change at once.
    settings.KIOSQUE_CACHE_VERSIONS_MEMO_SECONDS = 60
    page_cache.forget_process_copies()  # the shared cache was just cleared for this test
    article.access = Article.Access.FREE
    article.save()
    assert MARKER in client.get(article.get_absolute_url()).content.decode()
    assert client.get(article.get_absolute_url())[CACHE_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        _edit_through_the_admin_service(article, access=Article.Access.SUBSCRIBERS)
    response = client.get(article.get_absolute_url())

    assert MARKER not in response.content.decode()
    assert TEASER_WORD in response.content.decode()


def test_unpublished_article_disappears_from_the_cache_at_once(
    client: Client,
    article: Article,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())[CACHE_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        magazine_services.article_unpublish(articles=[article])

    assert client.get(article.get_absolute_url()).status_code == 404


def test_cache_hit_costs_no_query(client: Client, article: Article) -> None:
    client.get(article.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())

    assert response[CACHE_HEADER] == "hit"
    assert len(queries) == 0


def test_page_kept_for_a_subscriber_never_gives_the_full_text_to_a_reader_past_the_meter(
    article: Article, subscriber: User, reader: User
) -> None:
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 0})
    subscriber_client, reader_client = Client(), Client()
    subscriber_client.force_login(subscriber)
    reader_client.force_login(reader)

    full = subscriber_client.get(article.get_absolute_url()).content.decode()
    walled = reader_client.get(article.get_absolute_url())
    again = subscriber_client.get(article.get_absolute_url()).content.decode()

    assert MARKER in full and MARKER in again
    assert MARKER not in walled.content.decode()
    assert TEASER_WORD in walled.content.decode()
    assert 'class="paywall wrap' in walled.content.decode()
    assert 'class="paywall wrap' not in again
    assert "no-store" in walled["Cache-Control"]


def test_page_kept_for_a_reader_on_the_wall_still_opens_for_a_subscriber(
    article: Article, subscriber: User, reader: User
) -> None:
    PaywallSettings.objects.update_or_create(pk=1, defaults={"meter_limit": 0})
    reader_client, subscriber_client = Client(), Client()
    reader_client.force_login(reader)
    subscriber_client.force_login(subscriber)

    walled = reader_client.get(article.get_absolute_url()).content.decode()
    full = subscriber_client.get(article.get_absolute_url()).content.decode()

    assert MARKER not in walled
    assert MARKER in full


def test_each_reader_sees_their_own_account_links_on_a_kept_page(
    article: Article, subscriber: User, reader: User
) -> None:
    first, second = Client(), Client()
    first.force_login(subscriber)
    second.force_login(reader)

    first_page = first.get(article.get_absolute_url()).content.decode()
    second_page = second.get(article.get_absolute_url()).content.decode()

    assert subscriber.display_name in first_page and reader.display_name not in first_page
    assert reader.display_name in second_page and subscriber.display_name not in second_page
    assert "kiosque-slot" not in first_page + second_page


def test_related_articles_of_a_kept_page_follow_the_newsroom(
    client: Client,
    article: Article,
    subscriber: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(subscriber)
    client.get(article.get_absolute_url())
    other = premium_article(slug="autre-piece", title="Une autre pièce du dossier")
    article.related.add(other)

    with django_capture_on_commit_callbacks(execute=True):
        _edit_through_the_admin_service(other, title="Une autre pièce, corrigée")

    assert "Une autre pièce, corrigée" in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "reader", "subscriber"])
def test_article_page_query_count_is_fixed_per_persona(
    client: Client, settings, persona: str, request: pytest.FixtureRequest
) -> None:  # type: ignore[no-untyped-def]
    settings.KIOSQUE_ANONYMOUS_PAGE_CACHE_SECONDS = 0
    request.getfixturevalue("weekly_plan")
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    first, second = premium_article(), premium_article(slug="autre", title="Autre")
    for related in range(5):
        second.related.add(premium_article(slug=f"lie-{related}", title=f"Lié {related}"))

    counts = []
    for article in (first, second):
        client.get(article.get_absolute_url())  # warm the meter row and process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- the home page and the lists, kept for anonymous visitors ------------------------------------


def test_a_published_article_reaches_the_cached_home_page_at_once(
    client: Client,
    editor: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from tests.factories import ArticleFactory

    ArticleFactory(title="Le centre de contacts de demain")
    assert client.get("/")[CACHE_HEADER] == "miss"
    assert client.get("/")[CACHE_HEADER] == "hit"
    draft = ArticleFactory(title="Dreamforce le bilan", status=Article.Status.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        magazine_services.article_publish(articles=[draft])
    home = client.get("/")

    assert home[CACHE_HEADER] == "miss"
    assert "Dreamforce le bilan" in home.content.decode()


def test_a_list_is_kept_no_longer_than_the_next_scheduled_publication() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import ArticleFactory

    assert page_cache._seconds_to_next_publication() == page_cache.cache_seconds()
    ArticleFactory(published_at=timezone.now() + timedelta(seconds=20))

    assert 0 < page_cache._seconds_to_next_publication() <= 20


def test_a_signed_in_reader_never_gets_the_anonymous_home_page(
    client: Client, subscriber: User
) -> None:
    assert client.get("/")[CACHE_HEADER] == "miss"
    client.force_login(subscriber)

    page = client.get("/")

    assert CACHE_HEADER not in page
    assert "private" in page["Cache-Control"]


# --- deleting an article retires what was kept of it ----------------------------------------------


def _delete_in_the_admin(editor_client: Client, article: Article, how: str) -> None:
    if how == "delete_view":
        response = editor_client.post(
            f"/admin/magazine/article/{article.pk}/delete/", {"post": "yes"}
        )
    else:
        response = editor_client.post(
            "/admin/magazine/article/",
            {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert not Article.objects.filter(pk=article.pk).exists()


@pytest.mark.parametrize("how", ["delete_view", "delete_selected"])
def test_an_article_deleted_in_the_admin_is_gone_for_every_reader_at_once(
    how: str,
    article: Article,
    subscriber: User,
    editor_client: Client,
    settings,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    # As in production: each process keeps what it read of the shared cache for a while.
    settings.KIOSQUE_CACHE_VERSIONS_MEMO_SECONDS = 60
    page_cache.forget_process_copies()
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(subscriber)
    url = article.get_absolute_url()
    for _ in range(2):  # the second visit of each comes from what was kept
        assert MARKER in signed_in.get(url).content.decode()
        assert anonymous.get(url).status_code == 200
    assert anonymous.get(url)[CACHE_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        _delete_in_the_admin(editor_client, article, how)

    assert signed_in.get(url).status_code == 404
    assert anonymous.get(url).status_code == 404
