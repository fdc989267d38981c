"""Server-side HTML sanitising for everything editors write (nh3, an allow-list)."""

from __future__ import annotations

import nh3

# What the admin's rich-text editor offers; the sanitiser allows exactly the matching tags.
BODY_EDITOR_EXTENSIONS: dict[str, object] = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Figure": True,
    "Caption": True,
    "Image": True,
    "Table": True,
    "History": True,
    "Fullscreen": True,
}

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "s", "sub", "sup", "h2", "h3", "h4",
    "ul", "ol", "li", "blockquote", "hr", "a", "figure", "figcaption", "img", "cite",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Return ``html`` with every tag, attribute and URL scheme outside the allow-list removed."""
    cleaned = _cleaner.clean(html or "")
    # ProseMirror always leaves one empty paragraph in an empty document.
    return "" if cleaned.strip() in {"", "<p></p>"} else cleaned
