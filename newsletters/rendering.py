"""A campaign's message, prepared once: templates rendered, CSS inlined, then per-recipient
values substituted into the finished HTML and text (no template render per recipient).

Digest articles behind the paywall are rendered in two versions: the full body, for recipients
the paywall entitles, and the teaser with a link for the others. A recipient's version is the set
of gated articles the paywall opens for them; each set is rendered once and kept.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.site import site_url
from magazine.models import Article
from magazine.teaser import split_body
from newsletters import tokens

if TYPE_CHECKING:
    from newsletters.models import Campaign

HTML_TEMPLATE = "emails/newsletters/campaign.html"
TEXT_TEMPLATE = "emails/newsletters/campaign.txt"
# Placeholders survive template rendering and CSS inlining untouched (no character to escape).
EMAIL_MARK = "%%KIOSQUE_RECIPIENT_EMAIL%%"
UNSUBSCRIBE_MARK = "%%KIOSQUE_UNSUBSCRIBE_URL%%"
HTML_SIZE_LIMIT = 100 * 1024

_RELATIVE_URL = re.compile(r'(\s(?:src|href)=")/(?!/)')
_BLOCK_END = re.compile(r"(</(?:p|div|h[1-6]|li|ul|ol|table|tr|figure|blockquote|head|style)>)")
# SMTP forbids lines over 998 bytes; past that Django falls back to quoted-printable, which makes
# the message bigger and slower to encode and to receive.
MAX_LINE = 900


def short_lines(markup: str) -> str:
    """Break lines after block ends (harmless whitespace between blocks) when they run long."""
    if all(len(line) <= MAX_LINE for line in markup.splitlines()):
        return markup
    return _BLOCK_END.sub("\\1\n", markup)


class MessageTooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(
            _("The message weighs %(size)d KB; newsletters must stay under %(limit)d KB.")
            % {"size": size // 1024, "limit": HTML_SIZE_LIMIT // 1024}
        )


def absolute(url: str) -> str:
    return url if "://" in url else f"{site_url()}{url}"


def absolutise(fragment: str) -> str:
    """Make site-relative links and images in editor HTML absolute (mail clients need them)."""
    return _RELATIVE_URL.sub(lambda match: f"{match.group(1)}{site_url()}/", fragment)


class _TextExtractor(HTMLParser):
    BLOCKS = frozenset({"p", "h2", "h3", "h4", "li", "blockquote", "tr", "figure", "figcaption"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag == "li":
            self.parts.append("- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("\n\n----\n\n")
        elif tag == "a":
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            self.parts.append(f" ({self._href})")
            self._href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(fragment: str) -> str:
    """Readable plain text from editor HTML: blocks become paragraphs, links show their URL."""
    extractor = _TextExtractor()
    extractor.feed(fragment or "")
    extractor.close()
    text = "".join(extractor.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class DigestItem:
    article: Article
    url: str
    image_url: str
    gated: bool
    teaser_html: str
    full_html: str


@dataclass
class Variant:
    html: str
    text: str
    skeleton: Any = None


@dataclass
class PreparedCampaign:
    """Everything needed to build any recipient's message without touching a template."""

    campaign_id: int
    newsletter_id: int
    subject: str
    from_email: str
    list_id: str
    message_id_domain: str
    context: dict[str, Any]
    items: list[DigestItem]
    language: str
    variants: dict[frozenset[int], Variant] = field(default_factory=dict)
    # The unsubscribe link around its token, resolved once: reverse() per recipient is costly.
    unsubscribe_link: tuple[str, str] | None = None

    @property
    def gated_articles(self) -> list[Article]:
        return [item.article for item in self.items if item.gated]

    def variant(self, entitled: frozenset[int]) -> Variant:
        found = self.variants.get(entitled)
        if found is None:
            found = self.variants[entitled] = self._render(entitled)
        return found

    def _render(self, entitled: frozenset[int]) -> Variant:
        digest: list[dict[str, Any]] = [
            {
                "title": item.article.title,
                "lead": item.article.lead,
                "url": item.url,
                "image_url": item.image_url,
                "image_alt": item.article.hero_alt,
                "full": not item.gated or item.article.pk in entitled,
                "gated": item.gated,
                "body_html": (
                    item.full_html
                    if not item.gated or item.article.pk in entitled
                    else item.teaser_html
                ),
            }
            for item in self.items
        ]
        for entry in digest:
            entry["body_text"] = html_to_text(entry["body_html"])
        context = {**self.context, "digest": digest}
        with translation.override(self.language):
            rendered_html = render_to_string(HTML_TEMPLATE, context)
            text = render_to_string(TEXT_TEMPLATE, context)
        # Inline once per version: css-inline is the expensive step, recipients share its output.
        inlined = short_lines(css_inline.inline(rendered_html))
        size = len(inlined.encode())
        if size > HTML_SIZE_LIMIT:
            raise MessageTooLarge(size)
        from newsletters.mime import Skeleton

        skeleton = Skeleton(
            subject=self.subject, from_email=self.from_email, list_id=self.list_id,
            text=text, html=inlined,
        )  # fmt: skip
        return Variant(html=inlined, text=text, skeleton=skeleton)

    def check_size(self) -> None:
        """Render the largest and smallest versions now, so an oversized message fails early."""
        self.variant(frozenset(article.pk for article in self.gated_articles))
        self.variant(frozenset())

    def personalise(self, variant: Variant, email: str) -> tuple[str, str, str]:
        """(html, text, unsubscribe URL) for one recipient: three string substitutions."""
        url = self.unsubscribe_url(email)
        body_html = variant.html.replace(UNSUBSCRIBE_MARK, html.escape(url)).replace(
            EMAIL_MARK, html.escape(email)
        )
        text = variant.text.replace(UNSUBSCRIBE_MARK, url).replace(EMAIL_MARK, email)
        return body_html, text, url

    def unsubscribe_url(self, email: str) -> str:
        if self.unsubscribe_link is None:
            return unsubscribe_url(self.newsletter_id, email)
        before, after = self.unsubscribe_link
        return f"{before}{tokens.unsubscribe_token(self.newsletter_id, email)}{after}"

    def message_id(self, delivery_id: int) -> str:
        # Stable per recipient and campaign: a redelivery after a crash carries the same id, so
        # mail clients and our tests can recognise a duplicate.
        return f"<newsletter.{self.campaign_id}.{delivery_id}@{self.message_id_domain}>"


def unsubscribe_url(newsletter_id: int, email: str) -> str:
    return _unsubscribe_url_for(tokens.unsubscribe_token(newsletter_id, email))


def _unsubscribe_url_for(token: str) -> str:
    from django.urls import reverse

    with translation.override(None):
        path = reverse("newsletter_unsubscribe", kwargs={"token": token})
    return f"{site_url()}{path}"


_SLOT = "KIOSQUESLOT0"


def unsubscribe_link() -> tuple[str, str] | None:
    """The unsubscribe URL split around its token, or None if the token would be quoted.

    Tokens are base64url plus ':' which reverse() leaves as they are, so putting a token between
    the two halves gives exactly what reverse() gives.
    """
    before, mark, after = _unsubscribe_url_for(_SLOT).partition(_SLOT)
    return (before, after) if mark else None


def site_domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(site_url()).hostname or "localhost"


def prepare(campaign: Campaign) -> PreparedCampaign:
    """Load the campaign's content once and return what builds every recipient's message."""
    newsletter = campaign.newsletter
    articles = [
        item.article
        for item in campaign.digest_items.select_related("article").order_by("position", "id")
    ]
    items = []
    for article in articles:
        gated = article.access != Article.Access.FREE
        full = absolutise(article.body)
        teaser = absolutise(split_body(article.body)[0]) if gated else full
        image = absolute(article.hero_image.url) if article.hero_image else ""
        with translation.override(settings.LANGUAGE_CODE):
            url = absolute(article.get_absolute_url())
        items.append(DigestItem(article, url, image, gated, teaser, full))
    domain = site_domain()
    context = {
        "campaign": campaign,
        "newsletter": newsletter,
        "subject": campaign.subject,
        "preheader": campaign.preheader,
        "body_html": absolutise(campaign.body),
        "body_text": html_to_text(absolutise(campaign.body)),
        "site_name": settings.SITE_NAME,
        "site_url": site_url(),
        "recipient_email": EMAIL_MARK,
        "unsubscribe_url": UNSUBSCRIBE_MARK,
        "year": timezone.localdate().year,
    }
    return PreparedCampaign(
        campaign_id=campaign.pk,
        newsletter_id=newsletter.pk,
        subject=campaign.subject,
        from_email=settings.NEWSLETTER_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        list_id=f"{newsletter.name} <{newsletter.slug}.{domain}>",
        message_id_domain=domain,
        context=context,
        items=items,
        language=settings.LANGUAGE_CODE,
        unsubscribe_link=unsubscribe_link(),
    )
