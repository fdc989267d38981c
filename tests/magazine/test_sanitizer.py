"""The article body keeps what the editor produces and nothing that can run in a browser."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django_prose_editor.config import EXTENSION_MAPPING

from magazine.models import Article
from magazine.sanitizer import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    BODY_EDITOR_EXTENSIONS,
    sanitize_html,
)
from tests.factories import ArticleFactory
from tests.magazine.test_admin import article_form_data

XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" alt="x">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="JaVaScRiPt:alert(1)">clic</a>',
    '<a href=" javascript:alert(1)">clic</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">clic</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">clic</a>',
    '<a href="jav&#x09;ascript:alert(1)">clic</a>',
    '<a href="vbscript:msgbox(1)">clic</a>',
    '<a href="data:text/html,<script>alert(1)</script>">clic</a>',
    '<a href="https://example.com" onclick="alert(1)" onmouseover="alert(2)">clic</a>',
    '<a href="https://example.com" target="_blank" style="color:red">clic</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">texte</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example"><input name="q"><button>ok</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    '<body onload="alert(1)">',
    '<div onmouseover="alert(1)">survol</div>',
    '<details open ontoggle="alert(1)">x</details>',
    '<video><source onerror="alert(1)"></video>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<h2 onclick="alert(1)" class="x" id="y">Titre</h2>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<figure onclick="alert(1)" class="figure"><img src="/media/a.jpg" alt="a"></figure>',
    "<<script>alert(1)//<</script>",
    '<img """><script>alert(1)</script>">',
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background"}


class Inventory(HTMLParser):
    """Every tag and attribute of stored HTML, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_harmless(html: str) -> None:
    inventory = Inventory()
    inventory.feed(html)
    for tag, attrs in inventory.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
            if name == "class":
                assert set((value or "").split()) <= ALLOWED_CLASSES.get(tag, set()), html
                continue
            assert name in allowed, (tag, name, html)
            assert not name.startswith("on")
            if name in URL_ATTRIBUTES and value:
                scheme = "".join(value.split()).lower().partition(":")[0]
                assert scheme in {"http", "https", "mailto"} or ":" not in value, html
    lowered = html.lower()
    for needle in ("<script", "javascript:", "vbscript:", "data:", "onerror", "onload", "<iframe"):
        assert needle not in lowered, (needle, html)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_attack_is_removed_when_the_article_is_saved_through_full_clean(
    db: None, payload: str
) -> None:
    article = ArticleFactory.build(rubrique=ArticleFactory().rubrique, slug="attaque")
    article.body = f"<p>Avant</p>{payload}<p>Après</p>"

    article.full_clean()
    article.save()

    article.refresh_from_db()
    assert_harmless(article.body)
    # What follows an unclosed payload (<style>, <math>…) may be swallowed, as in a browser.
    assert article.body.startswith("<p>Avant</p>")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_attack_is_removed_even_without_a_form(db: None, payload: str) -> None:
    article = ArticleFactory(body=payload)

    article.refresh_from_db()
    assert_harmless(article.body)


def test_attacks_posted_through_the_admin_never_reach_the_database(
    editor_client: Client, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    body = "<p>Introduction</p><h2>Les attaques</h2>" + "".join(XSS_PAYLOADS)

    response = editor_client.post("/admin/magazine/article/add/", article_form_data(body=body))

    assert response.status_code == 302
    article = Article.objects.get()
    assert_harmless(article.body)
    assert "<p>Introduction</p>" in article.body
    assert "<h2>Les attaques</h2>" in article.body


EDITOR_OUTPUT = (
    "<p>Un <strong>gras</strong>, un <em>italique</em>, <s>barré</s>, H<sub>2</sub>O, "
    "m<sup>2</sup>.<br>Une ligne.</p>"
    "<h2>Un intertitre</h2><h3>Un sous-intertitre</h3><h4>Un niveau de plus</h4>"
    "<blockquote><p>« Une citation du New York Times. »</p></blockquote>"
    '<p><a href="https://www.example.com/dreamforce?jour=2&amp;salle=b" title="Le programme">'
    'le programme</a>, <a href="mailto:redaction@example.com">écrire</a>, '
    '<a href="/rubrique/actus/">une rubrique</a></p>'
    '<figure class="figure"><img src="/media/renditions/library/2025/10/forum/abc.jpg" '
    'alt="Le public du forum" title="Forum" width="1200" height="800">'
    '<figcaption class="figure-caption">Le forum ECTFF. Crédit : la rédaction</figcaption>'
    "</figure>"
    '<figure class="figure"><img src="https://images.example.com/photo.jpg" alt="Photo">'
    "</figure>"
    "<ul><li><p>un</p></li></ul>"
    '<ol start="3"><li><p>trois</p></li></ol>'
    "<hr>"
    '<table><tbody><tr><th colspan="1" rowspan="1"><p>Année</p></th></tr>'
    '<tr><td colspan="2" rowspan="1"><p>2019</p></td></tr></tbody></table>'
)


def test_everything_the_editor_produces_survives_sanitising(db: None) -> None:
    article = ArticleFactory.build(rubrique=ArticleFactory().rubrique, slug="tout")
    article.body = EDITOR_OUTPUT

    article.full_clean()
    article.save()

    article.refresh_from_db()
    expected = (
        EDITOR_OUTPUT.replace(
            'title="Le programme">', 'title="Le programme" rel="noopener noreferrer">'
        )
        .replace(
            'href="mailto:redaction@example.com">',
            'href="mailto:redaction@example.com" rel="noopener noreferrer">',
        )
        .replace('href="/rubrique/actus/">', 'href="/rubrique/actus/" rel="noopener noreferrer">')
    )
    assert article.body == expected


def test_links_lose_only_their_target_and_unsafe_parts() -> None:
    cleaned = sanitize_html('<a href="https://example.com" target="_blank" class="x">lien</a>')

    assert cleaned == '<a href="https://example.com" rel="noopener noreferrer">lien</a>'


def test_images_keep_relative_and_https_sources_but_not_other_schemes() -> None:
    assert sanitize_html('<img src="/media/a.jpg" alt="a">') == '<img src="/media/a.jpg" alt="a">'
    assert sanitize_html('<img src="mailto:a@example.com" alt="a">') == '<img alt="a">'
    assert sanitize_html('<img src="data:image/png;base64,AAAA" alt="a">') == '<img alt="a">'


def test_empty_editor_document_is_stored_as_empty() -> None:
    assert sanitize_html("<p></p>") == ""
    assert sanitize_html("") == ""


def test_editor_extensions_exist_in_django_prose_editor() -> None:
    editor_js = finders.find("django_prose_editor/editor.js")
    assert editor_js
    with open(editor_js, encoding="utf-8") as handle:
        exports = handle.read().rsplit("export{", 1)[1]
    for name in BODY_EDITOR_EXTENSIONS:
        assert f" as {name}," in exports or f" as {name}}}" in exports, name
        # The server-side allow-list generator knows them too (Fullscreen makes no HTML).
        assert name in EXTENSION_MAPPING or name == "Fullscreen", name
