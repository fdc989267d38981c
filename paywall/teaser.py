"""What readers without access see of a body: the teaser, cut between top-level blocks.

Editors mark the cut with a horizontal rule (the editor's "horizontal line" button): the teaser
is everything before the first top-level ``<hr>``. Without one, it is the first two top-level
blocks, extended until it holds a paragraph (possibly inside a list or a quote), and never the
whole of a body that has more than one block. Cuts fall only between top-level elements, so
both parts stay well-formed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from core.lru import BoundedLRU

if TYPE_CHECKING:
    from paywall.access import AccessDecision
    from paywall.levels import GuardedArticle

TEASER_BLOCKS = 2
_NEWLINE = re.compile("\n")
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class _TopLevelScanner(HTMLParser):
    """Records each top-level element: its offset in the source, its tag, whether it holds a <p>."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[int, str]] = []
        self.with_paragraph: set[int] = set()
        self._depth = 0
        # HTMLParser counts lines by "\n" only.
        self._line_starts = [0, *(match.end() for match in _NEWLINE.finditer(source))]

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth == 0:
            self.blocks.append((self._offset(), tag))
        if tag == "p":
            self.with_paragraph.add(len(self.blocks) - 1)
        if tag not in VOID_ELEMENTS:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth == 0:
            self.blocks.append((self._offset(), tag))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_ELEMENTS and self._depth > 0:
            self._depth -= 1


def _top_level_blocks(body_html: str) -> tuple[list[tuple[int, str]], set[int]]:
    scanner = _TopLevelScanner(body_html)
    scanner.feed(body_html)
    scanner.close()
    return scanner.blocks, scanner.with_paragraph


# Parsing a long body costs milliseconds and every channel splits the same few bodies again and
# again; the result depends on the text alone, so an edited body is never served stale.
_splits: BoundedLRU[str, tuple[str, str]] = BoundedLRU(128)


def split_body(body_html: str) -> tuple[str, str]:
    """(teaser_html, rest_html), with ``teaser_html + rest_html == body_html``."""
    text = body_html or ""
    return _splits.get_or_set(text, lambda: _split_body(text))


def _split_body(body_html: str) -> tuple[str, str]:
    blocks, with_paragraph = _top_level_blocks(body_html)
    for offset, tag in blocks:
        if tag == "hr":
            return body_html[:offset], body_html[offset:]
    if len(blocks) <= 1:
        # A one-block body has nothing to spare: the lead alone is the teaser.
        return "", body_html
    count = TEASER_BLOCKS
    while count < len(blocks) - 1 and not with_paragraph.intersection(range(count)):
        count += 1
    count = min(count, len(blocks) - 1)
    cut = blocks[count][0]
    return body_html[:cut], body_html[cut:]


def paywalled_body(article: GuardedArticle, decision: AccessDecision) -> str:
    """The body HTML this reader may receive: all of it, or only the teaser."""
    if decision.allowed:
        return article.body
    return split_body(article.body)[0]
