"""The teaser: cut between top-level blocks, at the editor's rule or after two blocks."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magazine.sanitizer import sanitize_html
from paywall.teaser import VOID_ELEMENTS, split_body


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.broken = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.broken = True


def well_formed(html: str) -> bool:
    parser = _Balance()
    parser.feed(html)
    parser.close()
    # A tag cut in half would leave "<" in rawdata or unbalanced elements.
    return not parser.broken and not parser.stack and not parser.rawdata


def test_editor_rule_marks_the_cut() -> None:
    body = "<p>Un.</p><p>Deux.</p><p>Trois.</p><hr><p>Quatre, pour les abonnés.</p>"
    teaser, rest = split_body(body)
    assert teaser == "<p>Un.</p><p>Deux.</p><p>Trois.</p>"
    assert rest == "<hr><p>Quatre, pour les abonnés.</p>"


def test_only_the_first_top_level_rule_is_the_cut() -> None:
    body = "<blockquote><p>Cité.</p><hr></blockquote><p>A.</p><hr><p>B.</p><hr><p>C.</p>"
    teaser, rest = split_body(body)
    assert teaser == "<blockquote><p>Cité.</p><hr></blockquote><p>A.</p>"
    assert rest.startswith("<hr><p>B.</p>")


def test_without_a_rule_the_teaser_is_the_first_two_blocks() -> None:
    body = "<p>Un.</p><h2>Intertitre</h2><p>Deux.</p><p>Trois.</p>"
    teaser, rest = split_body(body)
    assert teaser == "<p>Un.</p><h2>Intertitre</h2>"
    assert rest == "<p>Deux.</p><p>Trois.</p>"


def test_teaser_goes_on_until_it_holds_a_paragraph() -> None:
    body = "<h2>Titre</h2><h3>Sous-titre</h3><p>Enfin du texte.</p><p>La suite.</p>"
    teaser, rest = split_body(body)
    assert teaser == "<h2>Titre</h2><h3>Sous-titre</h3><p>Enfin du texte.</p>"
    assert rest == "<p>La suite.</p>"


@pytest.mark.parametrize(
    ("body", "teaser"),
    [
        ("<p>Un.</p><p>Deux.</p>", "<p>Un.</p>"),
        ("<p>Seul paragraphe.</p>", ""),
        ("", ""),
        ("Texte nu sans balise.", ""),
    ],
)
def test_short_bodies_never_give_everything_away(body: str, teaser: str) -> None:
    assert split_body(body) == (teaser, body[len(teaser) :])


def test_nested_blocks_are_never_cut_inside() -> None:
    body = (
        "<ul><li><p>Point un</p></li><li><p>Point deux</p></li></ul>"
        '<figure class="figure"><img src="https://example.com/a.jpg" alt="A">'
        '<figcaption class="figure-caption">Crédit : Rédaction</figcaption></figure>'
        "<table><tbody><tr><td>1</td></tr></tbody></table><p>Fin.</p>"
    )
    teaser, rest = split_body(body)
    assert teaser.endswith("</figure>")
    assert rest.startswith("<table>")
    assert well_formed(teaser) and well_formed(rest)


def test_works_on_sanitized_multiline_html() -> None:
    raw = (
        "<p>Premier\nparagraphe avec <strong>gras</strong> &amp; entités.</p>\n"
        "<p>Deuxième<br>ligne.</p>\n<script>alert(1)</script>\n"
        '<h2 onclick="x()">Intertitre</h2>\n<p>Troisième.</p>'
    )
    body = sanitize_html(raw)
    teaser, rest = split_body(body)
    assert teaser + rest == body
    assert "Deuxième" in teaser and "Intertitre" not in teaser
    assert well_formed(teaser) and well_formed(rest)


_inline = st.sampled_from(["texte", "<strong>gras</strong>", "a &lt; b", "<br>", "<em>é</em>"])
_block = st.one_of(
    st.lists(_inline, min_size=1, max_size=3).map(lambda xs: f"<p>{''.join(xs)}</p>"),
    st.sampled_from(["<h2>Titre</h2>", "<h3>Sous-titre</h3>", "<hr>"]),
    st.lists(_inline, min_size=1, max_size=2).map(
        lambda xs: f"<blockquote><p>{''.join(xs)}</p></blockquote>"
    ),
    st.lists(_inline, min_size=1, max_size=3).map(
        lambda xs: "<ul>" + "".join(f"<li><p>{x}</p></li>" for x in xs) + "</ul>"
    ),
)


@given(st.lists(_block, max_size=8), st.sampled_from(["", "\n"]))
def test_teaser_and_rest_partition_the_body_into_well_formed_html(
    blocks: list[str], separator: str
) -> None:
    body = sanitize_html(separator.join(blocks))
    teaser, rest = split_body(body)
    assert teaser + rest == body
    assert well_formed(teaser)
    assert well_formed(rest)
    if "<" in body and body.count("<p>") + body.count("<h") + body.count("<ul") > 1:
        assert rest.strip(), "a multi-block body never goes out whole in the teaser"
