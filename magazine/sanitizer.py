"""Server-side HTML sanitising for everything editors write (nh3, an allow-list)."""

from __future__ import annotations

import nh3

# What the admin's rich-text editor offers (names from django_prose_editor.config); the sanitiser
# below allows exactly the markup these extensions produce.
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
    # No "protocols" here: in the editor that option registers *extra* autolink schemes with
    # linkify, and re-registering http/https would only confuse it. Schemes are enforced below.
    "Link": {"enableTarget": False},
    "Figure": True,
    "Caption": True,
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
    "Fullscreen": True,
}

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "s", "sub", "sup", "h2", "h3", "h4",
    "ul", "ol", "li", "blockquote", "hr", "a", "figure", "figcaption", "img",
    "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
# The editor marks figures with fixed classes; allow those values only, never free classes.
ALLOWED_CLASSES = {"figure": {"figure"}, "figcaption": {"figure-caption"}}
URL_SCHEMES = {"http", "https", "mailto"}
IMAGE_URL_SCHEMES = {"http", "https"}


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 already drops unknown schemes; images additionally may not point at mailto: links.
    if tag == "img" and attribute == "src":
        scheme, colon, _rest = value.partition(":")
        if colon and "/" not in scheme and scheme.strip().lower() not in IMAGE_URL_SCHEMES:
            return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style", "iframe", "noscript", "object", "template", "textarea"},
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    attribute_filter=_filter_attribute,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Return ``html`` with every tag, attribute and URL scheme outside the allow-list removed."""
    cleaned = _cleaner.clean(html or "")
    # ProseMirror always leaves one empty paragraph in an empty document.
    return "" if cleaned.strip() in {"", "<p></p>"} else cleaned
