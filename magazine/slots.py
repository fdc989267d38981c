"""The per-reader slots of an article page's skeleton, rendered once per distinct input.

Under load, rendering the slots' templates cost more than anything else a signed-in article page
does. What they show depends on few things: the paywall's decision, the offer, the article's
address, the language and, for the account links, the reader's display name. Each fragment is
rendered once per such input with placeholders for the body parts and the CSRF token (both
differ per page, or per request) and kept in this process; a page then only swaps the
placeholders for the real values. The output is exactly what rendering the templates gives.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

if TYPE_CHECKING:
    from magazine.models import Article
    from paywall.reading import Reading
    from subscriptions.offers import Offer

# In this order in the skeleton (magazine/article_slots.html lists the same templates).
SLOT_TEMPLATES = {
    "account": "includes/account_links.html",
    "access": "magazine/article_access.html",
    "offers": "magazine/article_offers.html",
}

# Random per process and plain letters and digits, so that escaping leaves them as they are and
# no article text (sanitised, and never part of a cached fragment anyway) can contain them.
_TOKEN = uuid4().hex
_CSRF_PLACEHOLDER = f"kiosqueCsrf{_TOKEN}"
_BODY_OPEN = f"<!--kiosque-body-open-{_TOKEN}-->"
_BODY_PAYWALLED = f"<!--kiosque-body-paywalled-{_TOKEN}-->"

_SIZE = 2048


class _Fragments:
    """A bounded map of rendered fragments, shared by this process's threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        found = self._entries.get(key)
        if found is not None:
            return found
        rendered = render()
        with self._lock:
            self._entries[key] = rendered
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return rendered

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_fragments = _Fragments(_SIZE)


def forget() -> None:
    _fragments.clear()


def _render(template_name: str, context: dict[str, Any]) -> str:
    # No request: the CSRF token is the placeholder, and nothing else of the request is used.
    return render_to_string(template_name, {**context, "csrf_token": _CSRF_PLACEHOLDER})


def _with_csrf(request: HttpRequest, fragments: dict[str, str]) -> dict[str, str]:
    # As the template's lazy token: read once per page (which sets its cookie), and only when the
    # page has a form.
    if not any(_CSRF_PLACEHOLDER in html for html in fragments.values()):
        return fragments
    token = get_token(request)
    return {name: html.replace(_CSRF_PLACEHOLDER, token) for name, html in fragments.items()}


def _offer_key(offer: Offer | None) -> Hashable:
    if offer is None:
        return None
    return (offer.headline, offer.weekly_price, offer.call_to_action)


def reader_slots(
    request: HttpRequest,
    *,
    article: Article,
    reading: Reading,
    body_open: str,
    body_paywalled: str,
    offer: Offer | None,
    canonical_path: str,
) -> dict[str, str]:
    """The account, access and offers slots for this reader (as magazine/article_slots.html).

    ``canonical_path`` is the article's address (``article.get_absolute_url()``).
    """
    user = request.user
    language = get_language()
    decision = reading.decision
    account_key: Hashable
    if user.is_authenticated:
        # The account links show the display name only when the account has a first name.
        account_key = (True, user.display_name if user.first_name else None)
    else:
        account_key = (False, canonical_path)
    authenticated = account_key[0]
    base = {
        "user": user,
        "article": article,
        "reading": reading,
        "decision": decision,
        "offer": offer,
        "canonical_path": canonical_path,
        "body_open": mark_safe(_BODY_OPEN),
        "body_paywalled": mark_safe(_BODY_PAYWALLED if body_paywalled else ""),
    }
    page_key = (
        language,
        authenticated,
        decision,
        bool(body_paywalled),
        _offer_key(offer),
        article.slug,
        # The article's address, as the templates' article.get_absolute_url (one reverse less).
        canonical_path,
    )
    account = _fragments.get(
        ("account", language, account_key),
        lambda: _render(SLOT_TEMPLATES["account"], base),
    )
    access = _fragments.get(("access", *page_key), lambda: _render(SLOT_TEMPLATES["access"], base))
    offers = _fragments.get(("offers", *page_key), lambda: _render(SLOT_TEMPLATES["offers"], base))
    # The CSRF token first, then the body parts, each only where the template put its placeholder.
    slots = _with_csrf(request, {"account": account, "access": access, "offers": offers})
    slots["access"] = body_open.join(
        part.replace(_BODY_PAYWALLED, body_paywalled) for part in slots["access"].split(_BODY_OPEN)
    )
    return slots
