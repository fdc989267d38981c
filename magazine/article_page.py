"""The article page of readers the shared page cache cannot serve: a skeleton, and slots.

The skeleton is what every reader of one version of an article gets: head, header, open body,
related articles, event cards, navigation. It is rendered without any request, from the article
and the site's context alone (``page_cache.render_shared``), so nothing of a reader can reach it
whatever the templates or context processors do. It is kept under the article's slug and the
language, for the current articles version (the newsroom's services move it whenever an article
is saved, published, unpublished or deleted), and holds the article's publication status and
time, checked here on every page: a kept skeleton costs no query.

What depends on the reader is ``SLOTS``, and nothing else: base.html and
magazine/article_detail.html put ``skeleton_slots.<name>`` where they would include the slot's
template. The messages are rendered for each page. The other slots show few things (the paywall's
decision, the offer, the article's address, the language, the name in the account links); each
is rendered once per distinct key in this process, from its key alone, with placeholders for the
body parts and the CSRF token, so a fragment can hold nothing its key does not name. A page then
only swaps the placeholders for its own values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from uuid import uuid4

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from magazine import page_cache, selectors
from magazine.models import Article
from magazine.templatetags.magazine_tags import sanitize
from paywall.access import AccessDecision, Ground
from paywall.reading import Reading, reading_for
from subscriptions.offers import Offer, subscription_offer

# Every part of the page that depends on the reader, with the template it renders, in the order
# the page shows them.
SLOTS: dict[str, str] = {
    "account": "includes/account_links.html",
    "messages": "includes/messages.html",
    "access": "magazine/article_access.html",
    "offers": "magazine/article_offers.html",
}

# The article's columns a skeleton keeps for the paywall and the slots.
_HEAD_FIELDS = frozenset({"id", "slug", "access", "updated_at", "status", "published_at"})
# Only ``allowed`` matters to reading_for: the parts an entitled reader gets, to keep for later.
_ENTITLED = AccessDecision(True, Ground.NONE, None, "skeleton")


@lru_cache(maxsize=1)
def _head_names() -> tuple[str, ...]:
    # Article.from_db takes the loaded values in the model's field order.
    return tuple(f.attname for f in Article._meta.concrete_fields if f.attname in _HEAD_FIELDS)


@dataclass(frozen=True)
class Skeleton:
    """The page with a marker around each slot's name, and the body parts it was made from.

    ``paywalled_html`` is not in ``html``: only once the paywall has allowed the reader does
    ``reader_page`` put it into the page (through the access slot).
    """

    html: str
    marker: str
    # Both sanitised: the open part (teaser, or the whole of a free body) and the rest.
    open_html: str
    paywalled_html: str
    # The article's address in the skeleton's language.
    canonical_path: str
    # The values of ``_head_names()``: enough of the article for the paywall and the slots.
    head: tuple[Any, ...]

    def article(self) -> Article:
        return Article.from_db("default", _head_names(), self.head)

    def fill(self, slots: Mapping[str, str]) -> str:
        """The page with every slot replaced; a KeyError if a slot is missing."""
        parts = self.html.split(self.marker)
        # Text, slot name, text, slot name, ..., text.
        return "".join(part if index % 2 == 0 else slots[part] for index, part in enumerate(parts))


def live_skeleton(slug: str) -> tuple[Skeleton, Article] | None:
    """The skeleton of the live article at ``slug`` in the current language, and its head.

    None when no article is live there: drafts and articles scheduled for later do not exist for
    readers, staff included.
    """
    lookup = page_cache.skeleton_lookup(name=f"{slug}|{get_language()}")
    kept = lookup.skeleton if lookup is not None else None
    if isinstance(kept, Skeleton):
        head = kept.article()
        if head.is_live:
            return kept, head
    article = selectors.published_article(slug=slug)
    if article is None:
        return None
    skeleton = build_skeleton(article)
    if lookup is not None:
        page_cache.skeleton_store(lookup, skeleton)
    return skeleton, article


def build_skeleton(article: Article) -> Skeleton:
    """The page every reader of ``article`` gets, with a marker for each slot; no request."""
    entitled = reading_for(article, _ENTITLED)
    # Random per skeleton: no text of an article (escaped or sanitised anyway) can forge a slot.
    marker = f"<!--kiosque-slot-{uuid4().hex}-->"
    canonical_path = article.get_absolute_url()
    context = {
        "article": article,
        "read_also": selectors.read_also(article),
        "preview": False,
        "canonical_path": canonical_path,
        # Our own marker around a fixed name: nothing to escape.
        "skeleton_slots": {name: mark_safe(f"{marker}{name}{marker}") for name in SLOTS},
    }
    return Skeleton(
        html=page_cache.render_shared("magazine/article_detail.html", context),
        marker=marker,
        open_html=sanitize(entitled.open_html),
        paywalled_html=sanitize(entitled.paywalled_html),
        canonical_path=canonical_path,
        head=tuple(getattr(article, name) for name in _head_names()),
    )


def reader_page(
    request: HttpRequest, skeleton: Skeleton, *, article: Article, decision: AccessDecision
) -> str:
    """The page of the reader behind ``request``, given the paywall's decision for them."""
    # As reading_for: the paywalled part only when the decision allows it.
    paywalled_html = skeleton.paywalled_html if decision.allowed else ""
    reading = Reading(decision, skeleton.open_html, paywalled_html)
    slots = reader_slots(
        request,
        article=article,
        reading=reading,
        # Only a wall shows the priced offer (one query).
        offer=subscription_offer() if reading.paywalled else None,
        canonical_path=skeleton.canonical_path,
    )
    return skeleton.fill(slots)


# --- the slots --------------------------------------------------------------------------------

# Random per process and plain letters and digits, so that escaping leaves them as they are and
# no article text (sanitised, and never part of a kept fragment anyway) can contain them.
_TOKEN = uuid4().hex
_CSRF_PLACEHOLDER = f"kiosqueCsrf{_TOKEN}"
_BODY_OPEN = f"<!--kiosque-body-open-{_TOKEN}-->"
_BODY_PAYWALLED = f"<!--kiosque-body-paywalled-{_TOKEN}-->"

_fragments = page_cache.Fragments(size=2048)


@dataclass(frozen=True)
class _ReaderShown:
    """What the slots' templates read of the reader (``user``): nothing else of the account."""

    is_authenticated: bool
    # The account links name the reader only when the account has a first name.
    first_name: str = ""
    display_name: str = ""


@dataclass(frozen=True)
class _ArticleShown:
    """What the slots' templates read of the article."""

    slug: str
    canonical_path: str

    def get_absolute_url(self) -> str:
        return self.canonical_path


@dataclass(frozen=True)
class _OfferShown:
    """What the paywall box shows of the offer."""

    headline: str
    weekly_price: str
    call_to_action: str


@dataclass(frozen=True)
class _AccountKey:
    language: str
    user: _ReaderShown
    # Where the login and signup links bring an anonymous visitor back to.
    canonical_path: str

    def context(self) -> dict[str, Any]:
        return {"user": self.user, "canonical_path": self.canonical_path}


@dataclass(frozen=True)
class _AccessKey:
    """The access and offers slots: everything they show, paywalled body part aside."""

    language: str
    user: _ReaderShown
    decision: AccessDecision
    with_paywalled: bool
    offer: _OfferShown | None
    article: _ArticleShown

    def context(self) -> dict[str, Any]:
        paywalled = _BODY_PAYWALLED if self.with_paywalled else ""
        return {
            "user": self.user,
            "article": self.article,
            "reading": Reading(self.decision, _BODY_OPEN, paywalled),
            "decision": self.decision,
            "offer": self.offer,
            "canonical_path": self.article.canonical_path,
            "body_open": mark_safe(_BODY_OPEN),
            "body_paywalled": mark_safe(paywalled),
        }


def _kept(name: str, key: _AccountKey | _AccessKey) -> str:
    def render() -> str:
        # No request: the CSRF token is the placeholder, and the key is all the template sees.
        return render_to_string(SLOTS[name], {**key.context(), "csrf_token": _CSRF_PLACEHOLDER})

    return _fragments.get((name, key), render)


def _messages(request: HttpRequest) -> str:
    # This reader's own, on this page only: never kept.
    pending = get_messages(request)
    if not pending:
        return ""
    return render_to_string(SLOTS["messages"], {"messages": pending})


def reader_slots(
    request: HttpRequest,
    *,
    article: Article,
    reading: Reading,
    offer: Offer | None,
    canonical_path: str,
) -> dict[str, str]:
    """Every slot of ``SLOTS`` for the reader behind ``request``, as the templates render them.

    ``reading`` holds the sanitised body parts; ``canonical_path`` is the article's address.
    """
    user = request.user
    language = get_language()
    if user.is_authenticated:
        shown = _ReaderShown(True, user.first_name, user.display_name if user.first_name else "")
        account = _AccountKey(language, shown, "")
    else:
        shown = _ReaderShown(False)
        account = _AccountKey(language, shown, canonical_path)
    access = _AccessKey(
        language,
        _ReaderShown(shown.is_authenticated),
        reading.decision,
        bool(reading.paywalled_html),
        _OfferShown(offer.headline, offer.weekly_price, offer.call_to_action) if offer else None,
        _ArticleShown(article.slug, canonical_path),
    )
    slots = {
        "account": _kept("account", account),
        "access": _kept("access", access),
        "offers": _kept("offers", access),
    }
    # As the template's lazy token: read once per page (which sets its cookie), and only when the
    # page has a form.
    if any(_CSRF_PLACEHOLDER in html for html in slots.values()):
        token = get_token(request)
        slots = {name: html.replace(_CSRF_PLACEHOLDER, token) for name, html in slots.items()}
    slots["access"] = reading.open_html.join(
        part.replace(_BODY_PAYWALLED, reading.paywalled_html)
        for part in slots["access"].split(_BODY_OPEN)
    )
    slots["messages"] = _messages(request)
    return slots
