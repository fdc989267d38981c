"""RSS/Atom feeds, sitemap.xml and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from magazine.models import Article
from tests.factories import ArticleFactory, AuthorFactory, RubriqueFactory, TagFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own feed, not untrusted input


@pytest.fixture
def articles() -> dict[str, Article]:
    rubrique = RubriqueFactory(name="Marché", slug="marche")
    live = ArticleFactory(
        title="Volubile.ai multiplie son ARR",
        slug="volubile-ai",
        lead="La jeune pousse des agents vocaux accélère.",
        body="<p>Texte réservé aux abonnés.</p>",
        rubrique=rubrique,
        authors=[
            AuthorFactory(name="Claire Fontaine", slug="claire"),
            AuthorFactory(name="Paul Durand", slug="paul"),
        ],
        tags=[TagFactory(name="IA", slug="ia")],
    )
    other = ArticleFactory(title="Ailleurs", slug="ailleurs")
    draft = ArticleFactory(title="Brouillon secret", slug="brouillon", status=Article.Status.DRAFT)
    scheduled = ArticleFactory(
        title="Pas encore",
        slug="pas-encore",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=1),
    )
    return {"live": live, "other": other, "draft": draft, "scheduled": scheduled}


def test_rss_feed_lists_published_articles_with_metadata(
    client: Client, articles: dict[str, Article]
) -> None:
    response = client.get(reverse("magazine:feed_rss"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = _parse(response.content).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Relation Client Magazine"
    items = {item.findtext("title"): item for item in channel.findall("item")}
    assert set(items) == {"Volubile.ai multiplie son ARR", "Ailleurs"}
    item = items["Volubile.ai multiplie son ARR"]
    assert item.findtext("link") == "http://testserver/volubile-ai/"
    assert item.findtext("description") == "La jeune pousse des agents vocaux accélère."
    assert item.findtext("pubDate")
    assert "Claire Fontaine, Paul Durand" in (
        item.findtext("{http://purl.org/dc/elements/1.1/}creator") or item.findtext("author") or ""
    )
    assert {c.text for c in item.findall("category")} == {"Marché", "IA"}
    assert b"r\xc3\xa9serv\xc3\xa9 aux abonn\xc3\xa9s" not in response.content


def test_atom_feed_lists_published_articles(client: Client, articles: dict[str, Article]) -> None:
    response = client.get(reverse("magazine:feed_atom"))

    assert response.status_code == 200
    feed = _parse(response.content)
    entries = feed.findall(f"{ATOM}entry")
    titles = {entry.findtext(f"{ATOM}title") for entry in entries}
    assert titles == {"Volubile.ai multiplie son ARR", "Ailleurs"}
    entry = next(
        e for e in entries if e.findtext(f"{ATOM}title") == "Volubile.ai multiplie son ARR"
    )
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/volubile-ai/"  # type: ignore[union-attr]
    assert entry.findtext(f"{ATOM}summary") == "La jeune pousse des agents vocaux accélère."
    assert entry.findtext(f"{ATOM}published")
    assert entry.findtext(f"{ATOM}updated")
    assert [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")] == [
        "Claire Fontaine, Paul Durand"
    ]
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"Marché", "IA"}


@pytest.mark.parametrize("url_name", ["magazine:feed_rubrique_rss", "magazine:feed_rubrique_atom"])
def test_rubrique_feeds_only_list_that_rubrique(
    client: Client, articles: dict[str, Article], url_name: str
) -> None:
    response = client.get(reverse(url_name, args=["marche"]))

    assert response.status_code == 200
    body = response.content.decode()
    _parse(response.content)
    assert "Volubile.ai multiplie son ARR" in body
    assert "Ailleurs" not in body
    assert "Marché" in body


def test_unknown_rubrique_feed_is_not_found(client: Client) -> None:
    assert client.get(reverse("magazine:feed_rubrique_rss", args=["nope"])).status_code == 404


def test_sitemap_lists_live_articles_rubriques_tags_authors_and_home(
    client: Client, articles: dict[str, Article]
) -> None:
    response = client.get(reverse("sitemap"))

    assert response.status_code == 200
    urlset = _parse(response.content)
    entries = {url.findtext(f"{SITEMAP}loc"): url for url in urlset.findall(f"{SITEMAP}url")}
    locations = set(entries)
    assert {
        "http://testserver/",
        "http://testserver/articles/",
        "http://testserver/volubile-ai/",
        "http://testserver/ailleurs/",
        "http://testserver/rubrique/marche/",
        "http://testserver/tag/ia/",
        "http://testserver/auteur/claire/",
    } <= locations
    assert "http://testserver/brouillon/" not in locations
    assert "http://testserver/pas-encore/" not in locations
    lastmod = entries["http://testserver/volubile-ai/"].findtext(f"{SITEMAP}lastmod")
    assert lastmod == articles["live"].updated_at.date().isoformat() or lastmod.startswith(
        articles["live"].updated_at.date().isoformat()
    )


def test_robots_txt_allows_all_but_admin_and_preview(client: Client) -> None:
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /apercu/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
