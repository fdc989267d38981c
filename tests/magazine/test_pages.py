"""The public reading site: pages, visibility rules, preview, SEO metadata and error pages."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from magazine.models import Article
from magazine.selectors import LATEST_COUNT
from magazine.views import server_error
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    RubriqueFactory,
    TagFactory,
    jpeg_upload,
)

pytestmark = pytest.mark.django_db

CTA = "Unlimited access to the magazine for less than €3 a week — Subscribe"


def _french(msgid: str) -> str:
    with translation.override("fr"):
        return gettext(msgid)


def _json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
def dreamforce() -> Article:
    rubrique = RubriqueFactory(name="Événements", slug="evenements")
    return ArticleFactory(
        title="Dreamforce 2025 : des agents IA et des chaussettes",
        slug="dreamforce-2025",
        lead="À San Francisco, Salesforce a vendu ses agents IA à grand renfort de spectacle.",
        body=(
            "<h2>Un intertitre</h2><p>Le corps de l'article.</p>"
            '<blockquote><p>Une citation.</p></blockquote><img src="x" onerror="alert(1)">'
        ),
        published_at=datetime(2025, 10, 23, 9, 0, tzinfo=UTC),  # 11h00 in Paris
        rubrique=rubrique,
        authors=[AuthorFactory(name="La rédaction", slug="la-redaction")],
        tags=[TagFactory(name="Salesforce", slug="salesforce")],
        hero_image=jpeg_upload("dreamforce.jpg"),
        hero_alt="La scène principale de Dreamforce",
        hero_caption="La scène principale du Moscone Center.",
        hero_credit="Agence Exemple",
        access=Article.Access.SUBSCRIBERS,
    )


def test_home_shows_featured_then_latest_then_rubrique_blocks(client: Client) -> None:
    rubrique = RubriqueFactory(name="Analyses", slug="analyses")
    featured = ArticleFactory(title="À la une, la fusion de l'année", featured=True)
    latest = ArticleFactory(title="Volubile.ai accélère", rubrique=rubrique)

    response = client.get(reverse("magazine:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "À la une, la fusion de l&#x27;année" in html
    assert featured.get_absolute_url() in html
    assert html.index("la fusion de l") < html.index("Volubile.ai accélère")
    assert f'href="{rubrique.get_absolute_url()}"' in html
    assert latest.get_absolute_url() in html


def test_home_rubrique_blocks_leave_out_articles_already_shown_above(client: Client) -> None:
    rubrique = RubriqueFactory(name="Analyses", slug="analyses")
    now = timezone.now()
    articles = [
        ArticleFactory(
            title=f"Analyse numéro {n}",
            slug=f"analyse-{n}",
            rubrique=rubrique,
            published_at=now - timedelta(hours=n + 1),
        )
        for n in range(LATEST_COUNT + 2)
    ]

    html = client.get(reverse("magazine:home")).content.decode()

    block = html[html.index('id="rubrique-analyses"') :]
    # The newest ones fill "Latest news"; the block only holds the two older ones.
    for article in articles:
        assert html.count(f'href="{article.get_absolute_url()}"') == 1
    assert articles[-1].get_absolute_url() in block
    assert articles[0].get_absolute_url() not in block


def test_home_hides_a_rubrique_block_whose_articles_are_all_shown_above(client: Client) -> None:
    rubrique = RubriqueFactory(name="Analyses", slug="analyses")
    ArticleFactory(title="Volubile.ai accélère", rubrique=rubrique)

    html = client.get(reverse("magazine:home")).content.decode()

    assert 'id="rubrique-analyses"' not in html


def test_article_page_shows_everything_a_reader_needs(client: Client, dreamforce: Article) -> None:
    related = ArticleFactory(title="Dreamforce 2019 au Moscone Center")
    dreamforce.related.add(related)

    response = client.get(dreamforce.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    # French typography: a no-break space keeps the colon off the start of a line.
    assert '<h1 class="article__title">Dreamforce 2025\u00a0: des agents IA' in html
    assert "23 octobre 2025 à 11h00" in html
    assert 'href="/auteur/la-redaction/"' in html
    assert "La rédaction" in html
    assert "Salesforce a vendu ses agents IA" in html
    assert "<h2>Un intertitre</h2>" in html
    # Past the teaser: a subscriber article's rest never reaches an anonymous reader.
    assert "<blockquote>" not in html
    assert "La scène principale du Moscone Center." in html
    assert "Agence Exemple" in html
    assert 'href="/tag/salesforce/"' in html
    assert "Dreamforce 2019 au Moscone Center" in html
    assert 'class="badge badge--subscribers"' in html
    assert _french(CTA) in html
    assert 'id="read-also-title"' in html


def test_article_body_is_sanitised_again_at_render_time(
    client: Client, dreamforce: Article
) -> None:
    # Simulate HTML that reached the database without passing through the model field.
    Article.objects.filter(pk=dreamforce.pk).update(
        body='<p>Texte</p><script>alert("x")</script><a href="javascript:alert(1)">lien</a>'
    )

    html = client.get(dreamforce.get_absolute_url()).content.decode()

    assert "<p>Texte</p>" in html
    assert 'alert("x")' not in html
    assert "javascript:" not in html


def test_hero_image_is_a_responsive_picture_loaded_eagerly(
    client: Client, dreamforce: Article
) -> None:
    html = client.get(dreamforce.get_absolute_url()).content.decode()

    hero = html[html.index('<figure class="article__hero') :]
    hero = hero[: hero.index("</figure>")]
    assert '<source type="image/webp" srcset="' in hero
    assert ".webp 480w" in hero
    assert 'alt="La scène principale de Dreamforce"' in hero
    assert 'width="1600" height="900"' in hero
    assert 'loading="eager"' in hero


def test_listing_cards_load_images_lazily(client: Client, dreamforce: Article) -> None:
    html = client.get(reverse("magazine:archive")).content.decode()

    assert 'loading="lazy"' in html
    assert 'alt="La scène principale de Dreamforce"' in html


def test_article_page_has_canonical_open_graph_and_news_article_json_ld(
    client: Client, dreamforce: Article
) -> None:
    html = client.get(dreamforce.get_absolute_url()).content.decode()

    assert '<link rel="canonical" href="http://testserver/dreamforce-2025/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert (
        '<meta property="og:title" content="Dreamforce 2025 : des agents IA et des chaussettes">'
        in html
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert re.search(
        r'<meta property="og:image" content="http://testserver/media/[^"]+\.jpg">', html
    )
    (data,) = [block for block in _json_ld(html) if block["@type"] == "NewsArticle"]
    assert data["headline"] == dreamforce.title
    assert data["datePublished"] == "2025-10-23T11:00:00+02:00"
    assert "dateModified" in data
    assert data["author"][0]["name"] == "La rédaction"
    assert data["image"][0].startswith("http://testserver/media/")
    assert data["publisher"]["name"] == "Relation Client Magazine"
    assert data["isAccessibleForFree"] is False


def test_free_article_is_marked_accessible_for_free(client: Client) -> None:
    article = ArticleFactory(access=Article.Access.FREE)

    html = client.get(article.get_absolute_url()).content.decode()

    (data,) = [block for block in _json_ld(html) if block["@type"] == "NewsArticle"]
    assert data["isAccessibleForFree"] is True
    assert 'class="badge badge--free"' in html


def test_json_ld_cannot_be_closed_by_article_text(client: Client) -> None:
    article = ArticleFactory(title="</script><script>alert(1)</script> & co")

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in html
    (data,) = [block for block in _json_ld(html) if block["@type"] == "NewsArticle"]
    assert data["headline"] == "</script><script>alert(1)</script> & co"


@pytest.mark.parametrize("url_name", ["magazine:home", "magazine:archive", "magazine:search"])
def test_every_page_has_a_canonical_url_on_the_site_url(client: Client, url_name: str) -> None:
    ArticleFactory()
    url = reverse(url_name)

    html = client.get(url).content.decode()

    assert f'<link rel="canonical" href="http://testserver{url}">' in html
    assert '<meta property="og:title"' in html


def test_draft_article_is_not_found(client: Client) -> None:
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_draft_with_past_date_stays_hidden(client: Client) -> None:
    draft = ArticleFactory(status=Article.Status.DRAFT)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert draft.title not in client.get(reverse("magazine:home")).content.decode()


def test_scheduled_article_appears_at_its_publication_time(client: Client) -> None:
    with time_machine.travel(datetime(2026, 6, 1, 8, 0, tzinfo=UTC), tick=False):
        scheduled = ArticleFactory(
            title="Le New Biz Forum ouvre ses portes",
            status=Article.Status.SCHEDULED,
            published_at=timezone.now() + timedelta(hours=2),
        )
        assert client.get(scheduled.get_absolute_url()).status_code == 404
        assert scheduled.title not in client.get(reverse("magazine:home")).content.decode()
        assert scheduled.title not in client.get(reverse("magazine:archive")).content.decode()

    with time_machine.travel(datetime(2026, 6, 1, 10, 0, 1, tzinfo=UTC), tick=False):
        assert client.get(scheduled.get_absolute_url()).status_code == 200
        assert scheduled.title in client.get(reverse("magazine:home")).content.decode()


def test_editor_sees_a_private_preview_of_a_draft(editor_client: Client) -> None:
    draft = ArticleFactory(
        title="Brouillon : Vocalcom", status=Article.Status.DRAFT, published_at=None
    )

    response = editor_client.get(reverse("magazine:article_preview", args=[draft.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Brouillon : Vocalcom" in html
    assert 'class="preview-banner"' in html
    assert _french("Preview") in html
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_editor_preview_of_scheduled_article(editor_client: Client) -> None:
    scheduled = ArticleFactory(
        status=Article.Status.SCHEDULED, published_at=timezone.now() + timedelta(days=2)
    )

    response = editor_client.get(reverse("magazine:article_preview", args=[scheduled.pk]))

    assert response.status_code == 200
    assert editor_client.get(scheduled.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "reader"])
def test_preview_is_not_found_for_readers(client: Client, reader, persona: str) -> None:  # type: ignore[no-untyped-def]
    if persona == "reader":
        client.force_login(reader)
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)

    response = client.get(reverse("magazine:article_preview", args=[draft.pk]))

    assert response.status_code == 404


def test_preview_of_missing_article_is_not_found(editor_client: Client) -> None:
    assert editor_client.get(reverse("magazine:article_preview", args=[999999])).status_code == 404


def test_rubrique_page_lists_its_articles_only(client: Client) -> None:
    rubrique = RubriqueFactory(name="Marché", slug="marche", description="Fusions et rachats.")
    mine = ArticleFactory(title="Konecta : Didier Manzari s'en va", rubrique=rubrique)
    other = ArticleFactory(title="Un autre sujet")

    response = client.get(rubrique.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Marché</h1>" in html
    assert "Fusions et rachats." in html
    assert mine.get_absolute_url() in html
    assert other.get_absolute_url() not in html
    assert reverse("magazine:feed_rubrique_rss", args=["marche"]) in html


def test_tag_page_lists_tagged_articles(client: Client) -> None:
    tag = TagFactory(name="BPO", slug="bpo")
    tagged = ArticleFactory(tags=[tag])
    untagged = ArticleFactory()

    html = client.get(tag.get_absolute_url()).content.decode()

    assert "<h1>BPO</h1>" in html
    assert tagged.get_absolute_url() in html
    assert untagged.get_absolute_url() not in html


def test_author_page_shows_profile_and_articles(client: Client) -> None:
    author = AuthorFactory(
        name="Claire Fontaine",
        slug="claire-fontaine",
        role="Rédactrice en chef",
        bio="Vingt ans de relation client.",
        photo=jpeg_upload("claire.jpg", size=(300, 300)),
    )
    article = ArticleFactory(authors=[author])

    html = client.get(author.get_absolute_url()).content.decode()

    assert "<h1>Claire Fontaine</h1>" in html
    assert "Rédactrice en chef" in html
    assert "Vingt ans de relation client." in html
    assert 'class="author-header__photo"' in html
    assert article.get_absolute_url() in html


@pytest.mark.parametrize("url", ["/rubrique/nope/", "/tag/nope/", "/auteur/nope/", "/nope/"])
def test_unknown_slugs_are_not_found(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_archive_is_paginated(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KIOSQUE_ARTICLES_PER_PAGE = 2
    articles = [
        ArticleFactory(published_at=timezone.now() - timedelta(days=n)) for n in range(1, 4)
    ]

    first = client.get(reverse("magazine:archive")).content.decode()
    second = client.get(reverse("magazine:archive"), {"page": 2}).content.decode()

    assert articles[0].get_absolute_url() in first
    assert articles[2].get_absolute_url() not in first
    assert articles[2].get_absolute_url() in second
    assert '<link rel="canonical" href="http://testserver/articles/?page=2">' in second
    assert client.get(reverse("magazine:archive"), {"page": 3}).status_code == 404
    assert client.get(reverse("magazine:archive"), {"page": "abc"}).status_code == 404


def test_subscribe_call_to_action_under_every_article(client: Client) -> None:
    article = ArticleFactory()

    html = client.get(article.get_absolute_url()).content.decode()

    cta = html[html.index('class="subscribe-cta"') :]
    assert _french(CTA) in cta[: cta.index("</aside>")]


def test_base_layout_has_navigation_search_account_and_language_links(client: Client) -> None:
    rubrique = RubriqueFactory(name="Outsourcing", slug="outsourcing")

    html = client.get(reverse("magazine:home")).content.decode()

    assert '<html lang="fr">' in html
    for element in ("<header", "<nav", "<main", "<footer"):
        assert element in html
    assert f'href="{rubrique.get_absolute_url()}"' in html
    assert f'action="{reverse("magazine:search")}"' in html
    # The home page brings the reader back to itself, as every page naming its address does.
    assert f'href="{reverse("account_login")}?next=/"' in html
    assert f'href="{reverse("account_signup")}?next=/"' in html
    # Plain links, not a POST form: anonymous pages carry no CSRF token and stay cacheable.
    assert 'href="/en/" hreflang="en"' in html
    assert "csrfmiddlewaretoken" not in html


@pytest.mark.parametrize("page", ["home", "archive"])
def test_navigation_marks_the_current_page_on_kept_copies_too(client: Client, page: str) -> None:
    ArticleFactory()
    url = reverse(f"magazine:{page}")
    others = {"home", "archive"} - {page}

    for _ in range(2):  # rendered for the shared cache, then served from it
        html = client.get(url).content.decode()
        assert f'<a href="{url}" aria-current="page">' in html
        for other in others:
            assert f'<a href="{reverse(f"magazine:{other}")}">' in html
        assert f'<link rel="canonical" href="http://testserver{url}">' in html


def test_logged_in_reader_gets_a_logout_form(reader_client: Client) -> None:
    html = reader_client.get(reverse("magazine:home")).content.decode()

    assert f'<form action="{reverse("account_logout")}" method="post"' in html


def test_no_inline_scripts_or_styles(client: Client, dreamforce: Article) -> None:
    html = client.get(dreamforce.get_absolute_url()).content.decode()

    assert " style=" not in html
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts == [' type="application/ld+json"']


def test_english_version_shows_english_strings(client: Client, dreamforce: Article) -> None:
    response = client.get(f"/en{dreamforce.get_absolute_url()}")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "October 23, 2025 at 11:00 AM" in html
    assert CTA in html
    assert "Credit: Agence Exemple" in html
    assert "Published on" in html


def test_french_is_the_default_language(client: Client, dreamforce: Article) -> None:
    html = client.get(dreamforce.get_absolute_url()).content.decode()

    assert '<html lang="fr">' in html
    assert "23 octobre 2025 à 11h00" in html
    assert _french("Credit: %(credit)s").replace("%(credit)s", "Agence Exemple") in html


def test_not_found_page_is_french_and_in_the_site_design(client: Client) -> None:
    RubriqueFactory(name="Analyses", slug="analyses")

    response = client.get("/rubrique/inconnue/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr">' in html
    assert _french("Page not found") in html
    assert 'class="site-header"' in html
    assert 'href="/rubrique/analyses/"' in html


def test_not_found_page_in_english(client: Client) -> None:
    response = client.get("/en/rubrique/unknown/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Page not found" in html


def test_server_error_page_renders_without_database_or_context(
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    request = RequestFactory().get("/")
    with translation.override("fr"), django_assert_num_queries(0):
        response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in html
    with translation.override("fr"):
        assert gettext("Server error") in html
    assert "Relation Client Magazine" in html
    assert "/static/css/site.css" in html
