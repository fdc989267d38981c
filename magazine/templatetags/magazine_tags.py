"""Template helpers for the reading site: images, dates, safe HTML and structured data."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.templatetags.static import static
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language

from core.site import site_url as base_url
from magazine.images import rendition_set
from magazine.models import Article
from magazine.sanitizer import sanitize_html

register = template.Library()

# Django's own French DATETIME_FORMAT has no "à 11h00", which French newspapers always print.
LONG_DATETIME_FORMATS = {
    "fr": r"j F Y \à H\hi",
    "en": r"F j, Y \a\t g:i A",
}
LONG_DATE_FORMATS = {"fr": "j F Y", "en": "F j, Y"}

# The characters that could end a <script> element or open an HTML comment inside it.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


# French typography puts a no-break space before : ; ! ? » and after «, so that a line never
# starts with the punctuation mark (editors type an ordinary space).
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([:;!?»])")
_SPACE_AFTER_GUILLEMET = re.compile(r"« +")


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


@register.filter
def long_datetime(value: datetime | None) -> str:
    """``23 octobre 2025 à 11h00`` in French, ``October 23, 2025 at 11:00 AM`` in English."""
    if value is None:
        return ""
    fmt = LONG_DATETIME_FORMATS.get(_language(), LONG_DATETIME_FORMATS["en"])
    return dateformat.format(localtime(value), fmt)


@register.filter
def long_date(value: datetime | None) -> str:
    if value is None:
        return ""
    fmt = LONG_DATE_FORMATS.get(_language(), LONG_DATE_FORMATS["en"])
    return dateformat.format(localtime(value), fmt)


@register.filter
def french_spacing(text: str | None) -> str:
    """Replace the space before ``: ; ! ? »`` and after ``«`` with a no-break space."""
    text = _SPACE_BEFORE_PUNCTUATION.sub("\u00a0\\1", text or "")
    return _SPACE_AFTER_GUILLEMET.sub("«\u00a0", text)


@register.filter
def sanitize(html: str | None) -> str:
    """Sanitise editor HTML again at render time (defence in depth), before ``|safe``."""
    # A plain str, not SafeString: forgetting ``|safe`` escapes the body instead of trusting it.
    return _sanitized(str(html or ""))


@lru_cache(maxsize=128)
def _sanitized(html: str) -> str:
    # The result depends on the text alone: every page showing one body cleans it only once per
    # process (a long body costs milliseconds). Keyed by the text, an edit is never served stale.
    return str(sanitize_html(html))


@register.simple_tag
def responsive_image(
    field_file: FieldFile | None,
    width: int | None,
    height: int | None,
    alt: str,
    sizes: str = "100vw",
    loading: str = "lazy",
    css_class: str = "",
) -> SafeString:
    """A ``<picture>`` with WebP and JPEG srcsets from the image's renditions."""
    renditions = rendition_set(field_file, width, height) if field_file else None
    if renditions is None:
        return mark_safe("")
    dimensions = (
        format_html(' width="{}" height="{}"', renditions.width, renditions.height)
        if renditions.width and renditions.height
        else ""
    )
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" alt="{}"{} loading="{}" decoding="async"{}>'
        "</picture>",
        renditions.webp_srcset,
        sizes,
        renditions.fallback_url,
        renditions.jpeg_srcset,
        sizes,
        alt,
        dimensions,
        "eager" if loading == "eager" else "lazy",
        format_html(' class="{}"', css_class) if css_class else "",
    )


def absolute_url(path_or_url: str) -> str:
    """``path_or_url`` on the public site (media may already live on another host)."""
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return f"{base_url()}{path_or_url}"


@register.simple_tag
def site_url(path_or_url: str) -> str:
    return absolute_url(path_or_url)


@register.simple_tag
def hero_image_url(article: Article) -> str:
    """An absolute JPEG URL for social cards and structured data, or '' without an image."""
    renditions = rendition_set(article.hero_image, article.hero_width, article.hero_height)
    return absolute_url(renditions.fallback_url) if renditions else ""


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """``data`` as a JSON-LD element that no string inside it can break out of."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


def article_structured_data(article: Article) -> dict[str, Any]:
    """schema.org NewsArticle for search engines (authors must be prefetched)."""
    url = absolute_url(article.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.meta_description,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "datePublished": localtime(article.published_at).isoformat()
        if article.published_at
        else None,
        "dateModified": localtime(article.updated_at).isoformat(),
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
            for author in article.authors.all()
        ],
        "articleSection": article.rubrique.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "inLanguage": "fr",
        "isAccessibleForFree": article.access == Article.Access.FREE,
        # The paywalled section's selector, as Google asks of paywalled content (the element
        # exists only in pages served to readers who may read it).
        "hasPart": None
        if article.access == Article.Access.FREE
        else {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywalled-content",
        },
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": base_url() + "/",
            "logo": {"@type": "ImageObject", "url": absolute_url(static("img/logo.svg"))},
        },
    }
    image = hero_image_url(article)
    if image:
        data["image"] = [image]
    return {key: value for key, value in data.items() if value is not None}


@register.simple_tag
def article_json_ld(article: Article) -> SafeString:
    return json_ld_script(article_structured_data(article))


@register.simple_tag
def website_json_ld() -> SafeString:
    return json_ld_script(
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": settings.SITE_NAME,
            "url": base_url() + "/",
        }
    )


@register.filter
def access_label(article: Article) -> str:
    return str(article.get_access_display())


@register.simple_tag
def language_url(path: str, language_code: str) -> str:
    """``path`` in another language: a plain link, so that pages carry no CSRF token.

    Every public path exists in each language, the default one without a prefix
    (i18n_patterns with prefix_default_language=False): swapping the prefix is enough, and
    costs no URL resolution on the anonymous fast path.
    """
    default = settings.LANGUAGE_CODE
    current = _language()
    if current != default and path.startswith(f"/{current}/"):
        path = path[len(current) + 1 :]
    return path if language_code == default else f"/{language_code}{path}"
